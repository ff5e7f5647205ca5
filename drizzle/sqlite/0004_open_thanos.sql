CREATE TABLE `key_spend_days` (
	`key_id` integer NOT NULL,
	`day_start` integer NOT NULL,
	`requests` integer NOT NULL,
	`prompt_tokens` integer NOT NULL,
	`completion_tokens` integer NOT NULL,
	`cost_micros` integer NOT NULL,
	`unpriced` integer NOT NULL,
	PRIMARY KEY(`key_id`, `day_start`)
);
--> statement-breakpoint
ALTER TABLE `client_keys` ADD `log_capture` text;--> statement-breakpoint
ALTER TABLE `request_logs` ADD `bodies_omitted` text;--> statement-breakpoint
ALTER TABLE `request_logs` ADD `reply_truncated` integer DEFAULT false NOT NULL;