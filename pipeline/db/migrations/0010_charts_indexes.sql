DROP INDEX `charts_media_idx`;--> statement-breakpoint
CREATE INDEX `charts_media_idx` ON `charts` (`media_id`,`window`,`time`);--> statement-breakpoint
CREATE INDEX `media_activity_day_idx` ON `media_activity` (`day`,`media_id`,`downloads`);