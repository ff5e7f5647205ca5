ALTER TABLE `upstreams` ADD `groups` text;--> statement-breakpoint
ALTER TABLE `upstreams` ADD `prices` text;