ALTER TABLE `imdb_titles` ADD `norm_original` text;--> statement-breakpoint
CREATE INDEX `imdb_titles_norm_orig_idx` ON `imdb_titles` (`norm_original`,`start_year`);