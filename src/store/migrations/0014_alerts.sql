CREATE TABLE "alerts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "alerts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"rule" text NOT NULL,
	"severity" text NOT NULL,
	"subject" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"raised_at" timestamp with time zone NOT NULL,
	CONSTRAINT "alerts_severity_check" CHECK ("alerts"."severity" in ('warning', 'critical'))
);
--> statement-breakpoint
CREATE INDEX "alerts_raised_at_idx" ON "alerts" USING btree ("raised_at");