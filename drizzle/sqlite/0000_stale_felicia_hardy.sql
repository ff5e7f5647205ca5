CREATE TABLE `request_logs` (
	`id` text PRIMARY KEY NOT NULL,
	`ts` integer NOT NULL,
	`client_ip` text,
	`method` text NOT NULL,
	`path` text NOT NULL,
	`model` text,
	`stream` integer NOT NULL,
	`request_body` text,
	`request_bytes` integer NOT NULL,
	`request_truncated` integer NOT NULL,
	`upstream_id` integer,
	`upstream_name` text,
	`attempts` text NOT NULL,
	`status` integer NOT NULL,
	`ttfb_ms` integer,
	`ttft_ms` integer,
	`total_ms` integer NOT NULL,
	`reply_text` text,
	`tool_calls` text,
	`prompt_tokens` integer,
	`completion_tokens` integer,
	`total_tokens` integer,
	`error_code` text,
	`error_message` text,
	`user_agent` text
);
--> statement-breakpoint
CREATE INDEX `request_logs_ts` ON `request_logs` (`ts`);--> statement-breakpoint
CREATE INDEX `request_logs_upstream` ON `request_logs` (`upstream_id`,`ts`);--> statement-breakpoint
CREATE INDEX `request_logs_status` ON `request_logs` (`status`,`ts`);--> statement-breakpoint
CREATE TABLE `upstreams` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text,
	`endpoint` text NOT NULL,
	`sk` text NOT NULL,
	`timeout_ms` integer,
	`stream_timeout_ms` integer,
	`enabled` integer DEFAULT true NOT NULL,
	`position` integer NOT NULL,
	`source` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `upstreams_name_unique` ON `upstreams` (`name`);