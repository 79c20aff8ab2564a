ALTER TABLE `torrents` ADD `archived_at` integer;--> statement-breakpoint
CREATE INDEX `torrents_live_idx` ON `torrents` (`status`) WHERE archived_at IS NULL; -- hand-written: a month's first save moves the rows of torrents let go long ago to the data branch's archive files (pipeline/db/partitions.ts ARCHIVED)
