ALTER TABLE `request_logs` ADD `upstream_request_id` text;--> statement-breakpoint
ALTER TABLE `request_logs` ADD `bodies_dropped` integer DEFAULT false NOT NULL;