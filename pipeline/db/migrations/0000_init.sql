CREATE TABLE `imdb_titles` (
	`tconst` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`primary_title` text NOT NULL,
	`original_title` text,
	`norm_title` text NOT NULL,
	`start_year` integer,
	`end_year` integer,
	`genres` text,
	`rating` real,
	`votes` integer
);
--> statement-breakpoint
CREATE INDEX `imdb_titles_norm_idx` ON `imdb_titles` (`norm_title`,`start_year`);--> statement-breakpoint
CREATE TABLE `indexer_stats` (
	`torrent_id` integer NOT NULL,
	`time` integer NOT NULL,
	`indexer` text NOT NULL,
	`seeders` integer,
	`leechers` integer,
	`grabs` integer,
	PRIMARY KEY(`torrent_id`, `time`, `indexer`),
	FOREIGN KEY (`torrent_id`) REFERENCES `torrents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `media` (
	`id` integer PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`title` text NOT NULL,
	`year` integer,
	`original_title` text,
	`language` text,
	`imdb_id` text,
	`tmdb_id` integer,
	`tvdb_id` integer,
	`poster_url` text,
	`genres` text,
	`rating` real,
	`votes` integer,
	`overview` text,
	`metadata_source` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `media_kind_key_uq` ON `media` (`kind`,`key`);--> statement-breakpoint
CREATE INDEX `media_imdb_idx` ON `media` (`imdb_id`);--> statement-breakpoint
CREATE INDEX `media_tmdb_idx` ON `media` (`tmdb_id`);--> statement-breakpoint
CREATE TABLE `media_trends` (
	`media_id` integer NOT NULL,
	`time` integer NOT NULL,
	`engine` text NOT NULL,
	`score` real NOT NULL,
	`rank` integer NOT NULL,
	`torrents` integer NOT NULL,
	PRIMARY KEY(`media_id`, `time`, `engine`),
	FOREIGN KEY (`media_id`) REFERENCES `media`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `media_trends_time_idx` ON `media_trends` (`engine`,`time`);--> statement-breakpoint
CREATE TABLE `metadata_cache` (
	`provider` text NOT NULL,
	`query` text NOT NULL,
	`result` text,
	`fetched_at` integer NOT NULL,
	PRIMARY KEY(`provider`, `query`)
);
--> statement-breakpoint
CREATE TABLE `runs` (
	`id` integer PRIMARY KEY NOT NULL,
	`step` text NOT NULL,
	`target` text,
	`clock` integer NOT NULL,
	`started_at` integer NOT NULL,
	`ended_at` integer,
	`status` text DEFAULT 'running' NOT NULL,
	`counts` text,
	`errors` text
);
--> statement-breakpoint
CREATE INDEX `runs_step_idx` ON `runs` (`step`,`started_at`);--> statement-breakpoint
CREATE TABLE `stats` (
	`torrent_id` integer NOT NULL,
	`time` integer NOT NULL,
	`tracker_id` integer NOT NULL,
	`seeders` integer NOT NULL,
	`leechers` integer NOT NULL,
	`completed` integer,
	PRIMARY KEY(`torrent_id`, `time`, `tracker_id`),
	FOREIGN KEY (`torrent_id`) REFERENCES `torrents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`tracker_id`) REFERENCES `trackers`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID; -- hand-added: the primary key is the clustered, covering index (see schema.ts)
--> statement-breakpoint
CREATE TABLE `status_history` (
	`torrent_id` integer NOT NULL,
	`time` integer NOT NULL,
	`status` text NOT NULL,
	PRIMARY KEY(`torrent_id`, `time`, `status`),
	FOREIGN KEY (`torrent_id`) REFERENCES `torrents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `torrent_media` (
	`torrent_id` integer PRIMARY KEY NOT NULL,
	`media_id` integer NOT NULL,
	`season` integer,
	`episode` integer,
	`release` text,
	FOREIGN KEY (`torrent_id`) REFERENCES `torrents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`media_id`) REFERENCES `media`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `torrent_media_media_idx` ON `torrent_media` (`media_id`);--> statement-breakpoint
CREATE TABLE `torrent_trackers` (
	`torrent_id` integer NOT NULL,
	`tracker_id` integer NOT NULL,
	PRIMARY KEY(`torrent_id`, `tracker_id`),
	FOREIGN KEY (`torrent_id`) REFERENCES `torrents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`tracker_id`) REFERENCES `trackers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `torrent_trackers_tracker_idx` ON `torrent_trackers` (`tracker_id`);--> statement-breakpoint
CREATE TABLE `torrents` (
	`id` integer PRIMARY KEY NOT NULL,
	`info_hash` text NOT NULL,
	`name` text NOT NULL,
	`pub_date` integer NOT NULL,
	`size` integer,
	`status` text DEFAULT 'new' NOT NULL,
	`category` text DEFAULT 'unknown' NOT NULL,
	`feed_category` integer,
	`indexer` text,
	`details_url` text,
	`imdb_id` text,
	`tmdb_id` integer,
	`tvdb_id` integer,
	`added_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `torrents_info_hash_unique` ON `torrents` (`info_hash`);--> statement-breakpoint
CREATE INDEX `torrents_status_idx` ON `torrents` (`status`,`category`);--> statement-breakpoint
CREATE INDEX `torrents_pub_date_idx` ON `torrents` (`pub_date`);--> statement-breakpoint
CREATE TABLE `trackers` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`scheme` text NOT NULL,
	`netloc` text NOT NULL,
	`path` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `trackers_name_unique` ON `trackers` (`name`);--> statement-breakpoint
CREATE TABLE `trends` (
	`torrent_id` integer NOT NULL,
	`time` integer NOT NULL,
	`engine` text NOT NULL,
	`score` real NOT NULL,
	`rank` integer NOT NULL,
	`trending` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`torrent_id`) REFERENCES `torrents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `trends_torrent_time_engine_uq` ON `trends` (`torrent_id`,`time`,`engine`);--> statement-breakpoint
CREATE INDEX `trends_time_idx` ON `trends` (`engine`,`time`);