CREATE TABLE `media_weeks` (
	`media_id` integer NOT NULL,
	`week` integer NOT NULL,
	`activity` text NOT NULL,
	`ranks` text NOT NULL,
	PRIMARY KEY(`media_id`, `week`),
	FOREIGN KEY (`media_id`) REFERENCES `media`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID; -- hand-added: the primary key (media, week) is the clustered index the site reads by
--> statement-breakpoint
CREATE INDEX `media_weeks_week_idx` ON `media_weeks` (`week`);
