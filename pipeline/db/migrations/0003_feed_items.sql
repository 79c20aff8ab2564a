CREATE TABLE `feed_items` (
	`feed` text NOT NULL,
	`key` text NOT NULL,
	`outcome` text NOT NULL,
	`pub_date` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`tried_at` integer,
	`trackers_key` text,
	`error` text,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	PRIMARY KEY(`feed`, `key`)
);
--> statement-breakpoint
CREATE INDEX `feed_items_pub_idx` ON `feed_items` (`feed`,`pub_date`);--> statement-breakpoint
CREATE INDEX `feed_items_seen_idx` ON `feed_items` (`last_seen`);