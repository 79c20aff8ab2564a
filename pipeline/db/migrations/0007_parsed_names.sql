ALTER TABLE `torrents` ADD `parse_input` text;--> statement-breakpoint
ALTER TABLE `torrents` ADD `parsed_title` text;--> statement-breakpoint
ALTER TABLE `torrents` ADD `parsed_year` integer;--> statement-breakpoint
ALTER TABLE `torrents` ADD `parsed_season` integer;--> statement-breakpoint
ALTER TABLE `torrents` ADD `parsed_episode` integer;--> statement-breakpoint
ALTER TABLE `torrents` ADD `parsed_air_date` text;--> statement-breakpoint
ALTER TABLE `torrents` ADD `parsed_kind` text;--> statement-breakpoint
ALTER TABLE `torrents` ADD `parsed` text;--> statement-breakpoint
ALTER TABLE `torrents` ADD `group_keys` text;--> statement-breakpoint
ALTER TABLE `torrents` ADD `grouped_input` text;