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
CREATE TABLE `log_rollup` (
	`hour` integer NOT NULL,
	`upstream` text NOT NULL,
	`model` text NOT NULL,
	`key_id` integer NOT NULL,
	`requests` integer DEFAULT 0 NOT NULL,
	`errors` integer DEFAULT 0 NOT NULL,
	`status_4xx` integer DEFAULT 0 NOT NULL,
	`status_5xx` integer DEFAULT 0 NOT NULL,
	`err_timeout` integer DEFAULT 0 NOT NULL,
	`err_connect` integer DEFAULT 0 NOT NULL,
	`err_limited` integer DEFAULT 0 NOT NULL,
	`err_stream` integer DEFAULT 0 NOT NULL,
	`err_client` integer DEFAULT 0 NOT NULL,
	`err_other` integer DEFAULT 0 NOT NULL,
	`prompt_tokens` integer DEFAULT 0 NOT NULL,
	`completion_tokens` integer DEFAULT 0 NOT NULL,
	`cached_tokens` integer DEFAULT 0 NOT NULL,
	`cache_write_tokens` integer DEFAULT 0 NOT NULL,
	`reasoning_tokens` integer DEFAULT 0 NOT NULL,
	`cost_micros` integer DEFAULT 0 NOT NULL,
	`unpriced` integer DEFAULT 0 NOT NULL,
	`latency_hist` text NOT NULL,
	`ttft_hist` text NOT NULL,
	PRIMARY KEY(`hour`, `upstream`, `model`, `key_id`)
);
--> statement-breakpoint
ALTER TABLE `client_keys` ADD `log_capture` text;--> statement-breakpoint
ALTER TABLE `request_logs` ADD `bodies_omitted` text;--> statement-breakpoint
ALTER TABLE `request_logs` ADD `reply_truncated` integer DEFAULT false NOT NULL;