CREATE TABLE "admin_sessions" (
	"id_hash" "bytea" PRIMARY KEY NOT NULL,
	"role" text NOT NULL,
	"agent" text NOT NULL,
	"token_hash" "bytea" NOT NULL,
	"csrf_token" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "admin_sessions_role_check" CHECK ("admin_sessions"."role" in ('admin', 'agent'))
);
--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "simulated" boolean GENERATED ALWAYS AS (phone_number_id = 'simulator') STORED NOT NULL;--> statement-breakpoint
CREATE INDEX "admin_sessions_expires_at_idx" ON "admin_sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "conversations_updated_at_idx" ON "conversations" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "messages_updated_at_idx" ON "messages" USING btree ("updated_at");