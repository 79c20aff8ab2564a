CREATE TABLE `charts` (
	`window` text NOT NULL,
	`kind` text NOT NULL,
	`time` integer NOT NULL,
	`media_id` integer NOT NULL,
	`rank` integer NOT NULL,
	`value` real NOT NULL,
	`last_rank` integer,
	`periods` integer NOT NULL,
	`peak_rank` integer NOT NULL,
	`reentry` integer DEFAULT false NOT NULL,
	PRIMARY KEY(`window`, `kind`, `time`, `media_id`),
	FOREIGN KEY (`media_id`) REFERENCES `media`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `charts_rank_idx` ON `charts` (`window`,`kind`,`time`,`rank`);--> statement-breakpoint
CREATE INDEX `charts_media_idx` ON `charts` (`media_id`);