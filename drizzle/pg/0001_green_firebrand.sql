CREATE TABLE "key_spend_days" (
	"key_id" integer NOT NULL,
	"day_start" bigint NOT NULL,
	"requests" bigint NOT NULL,
	"prompt_tokens" bigint NOT NULL,
	"completion_tokens" bigint NOT NULL,
	"cost_micros" bigint NOT NULL,
	"unpriced" bigint NOT NULL,
	CONSTRAINT "key_spend_days_key_id_day_start_pk" PRIMARY KEY("key_id","day_start")
);
--> statement-breakpoint
ALTER TABLE "client_keys" ADD COLUMN "log_capture" text;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "bodies_omitted" text;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "reply_truncated" boolean DEFAULT false NOT NULL;