CREATE TABLE `activity_state` (
	`torrent_id` integer PRIMARY KEY NOT NULL,
	`day` integer,
	`last_time` integer,
	`counters` text,
	`media_id` integer
);
--> statement-breakpoint
CREATE TABLE `media_activity` (
	`media_id` integer NOT NULL,
	`day` integer NOT NULL,
	`seeders` integer NOT NULL,
	`leechers` integer NOT NULL,
	`peers` integer NOT NULL,
	`downloads` integer,
	PRIMARY KEY(`media_id`, `day`),
	FOREIGN KEY (`media_id`) REFERENCES `media`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID; -- hand-added: the primary key (media, day) is the clustered index the site reads by
--> statement-breakpoint
CREATE TABLE `site_settings` (
	`id` integer PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`base_url` text NOT NULL,
	`engine` text NOT NULL,
	`latest_run` integer,
	`previous_run` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `torrent_activity` (
	`torrent_id` integer NOT NULL,
	`day` integer NOT NULL,
	`seeders` integer NOT NULL,
	`leechers` integer NOT NULL,
	`peers` integer NOT NULL,
	`downloads` integer,
	PRIMARY KEY(`torrent_id`, `day`),
	FOREIGN KEY (`torrent_id`) REFERENCES `torrents`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID; -- hand-added: the primary key (torrent, day) is the clustered index
