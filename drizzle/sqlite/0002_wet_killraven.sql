CREATE TABLE `limit_counters` (
	`upstream_id` integer PRIMARY KEY NOT NULL,
	`snapshot` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `request_logs` ADD `upstream_model` text;--> statement-breakpoint
ALTER TABLE `request_logs` ADD `plan` text;--> statement-breakpoint
ALTER TABLE `request_logs` ADD `tokens_estimated` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `upstreams` ADD `type` text DEFAULT 'openai' NOT NULL;--> statement-breakpoint
ALTER TABLE `upstreams` ADD `api_version` text;--> statement-breakpoint
ALTER TABLE `upstreams` ADD `models` text;--> statement-breakpoint
ALTER TABLE `upstreams` ADD `model_mapping` text;--> statement-breakpoint
ALTER TABLE `upstreams` ADD `weight` integer;--> statement-breakpoint
ALTER TABLE `upstreams` ADD `priority` integer;--> statement-breakpoint
ALTER TABLE `upstreams` ADD `rpm` integer;--> statement-breakpoint
ALTER TABLE `upstreams` ADD `rpd` integer;--> statement-breakpoint
ALTER TABLE `upstreams` ADD `tpm` integer;--> statement-breakpoint
ALTER TABLE `upstreams` ADD `stall_timeout_ms` integer;--> statement-breakpoint
ALTER TABLE `upstreams` ADD `stream_timeout_auto` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `upstreams` ADD `max_inflight` integer;--> statement-breakpoint
ALTER TABLE `upstreams` ADD `headers` text;