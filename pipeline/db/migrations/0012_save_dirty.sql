CREATE TABLE `save_dirty` (
	`tbl` text NOT NULL,
	`rid` integer NOT NULL,
	`pending` text,
	PRIMARY KEY(`tbl`, `rid`)
) WITHOUT ROWID; -- hand-added: (table, rowid) is the only index. Its triggers are derived from the schema (pipeline/db/dirty.ts), put in place on open; a database from before them has every snapshot row noted then.
