DROP INDEX `request_logs_key`;--> statement-breakpoint
CREATE INDEX `request_logs_key` ON `request_logs` (`key_id`,`ts`) WHERE "request_logs"."key_id" is not null;