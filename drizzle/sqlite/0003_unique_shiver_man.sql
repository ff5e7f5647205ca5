CREATE TABLE `client_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`hash` text NOT NULL,
	`prev_hash` text,
	`prev_valid_until` integer,
	`enabled` integer DEFAULT true NOT NULL,
	`expires_at` integer,
	`models` text,
	`groups` text,
	`allow_ips` text,
	`rpm` integer,
	`rpd` integer,
	`tpm` integer,
	`max_inflight` integer,
	`budget_micros` integer,
	`budget_window` text DEFAULT 'total' NOT NULL,
	`soft_budget_micros` integer,
	`allow_pinning` integer DEFAULT false NOT NULL,
	`note` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `client_keys_name_unique` ON `client_keys` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `client_keys_hash_unique` ON `client_keys` (`hash`);--> statement-breakpoint
CREATE TABLE `key_ledger` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key_id` integer NOT NULL,
	`ts` integer NOT NULL,
	`kind` text NOT NULL,
	`amount_micros` integer NOT NULL,
	`note` text
);
--> statement-breakpoint
CREATE INDEX `key_ledger_key` ON `key_ledger` (`key_id`,`ts`);--> statement-breakpoint
ALTER TABLE `request_logs` ADD `upstream_request_id` text;--> statement-breakpoint
ALTER TABLE `request_logs` ADD `bodies_dropped` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `request_logs` ADD `key_id` integer;--> statement-breakpoint
ALTER TABLE `request_logs` ADD `key_name` text;--> statement-breakpoint
ALTER TABLE `request_logs` ADD `cost_micros` integer;--> statement-breakpoint
ALTER TABLE `request_logs` ADD `price_source` text;--> statement-breakpoint
ALTER TABLE `request_logs` ADD `cached_tokens` integer;--> statement-breakpoint
ALTER TABLE `request_logs` ADD `cache_write_tokens` integer;--> statement-breakpoint
ALTER TABLE `request_logs` ADD `reasoning_tokens` integer;--> statement-breakpoint
ALTER TABLE `request_logs` ADD `affinity` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `request_logs_key` ON `request_logs` (`key_id`,`ts`) WHERE "request_logs"."key_id" is not null;--> statement-breakpoint
ALTER TABLE `upstreams` ADD `groups` text;--> statement-breakpoint
ALTER TABLE `upstreams` ADD `prices` text;--> statement-breakpoint
ALTER TABLE `upstreams` ADD `responses` integer;