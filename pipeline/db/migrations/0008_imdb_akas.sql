CREATE TABLE `imdb_akas` (
	`tconst` text NOT NULL,
	`norm_title` text NOT NULL,
	PRIMARY KEY(`tconst`, `norm_title`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `imdb_akas_norm_idx` ON `imdb_akas` (`norm_title`);