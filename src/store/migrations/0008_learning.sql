CREATE TABLE "knowledge_additions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "knowledge_additions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"proposal_id" bigint,
	"department" text NOT NULL,
	"question" text NOT NULL,
	"answer" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "knowledge_additions_proposal_id_unique" UNIQUE("proposal_id")
);
--> statement-breakpoint
CREATE TABLE "learning_proposal_sources" (
	"message_id" bigint PRIMARY KEY NOT NULL,
	"proposal_id" bigint NOT NULL,
	"conversation_id" bigint NOT NULL,
	"question" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "learning_proposals" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "learning_proposals_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"conversation_id" bigint,
	"source_message_id" bigint,
	"group_key" text,
	"question" text,
	"answer" text,
	"department" text,
	"score" integer,
	"flags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"reviewed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "learning_proposals_kind_check" CHECK ("learning_proposals"."kind" in ('faq', 'unanswered', 'detractor')),
	CONSTRAINT "learning_proposals_status_check" CHECK ("learning_proposals"."status" in ('pending', 'approved', 'rejected'))
);
--> statement-breakpoint
CREATE TABLE "learning_records" (
	"conversation_id" bigint PRIMARY KEY NOT NULL,
	"due_at" timestamp with time zone,
	"enqueued_at" timestamp with time zone,
	"processed_at" timestamp with time zone,
	"runs" integer DEFAULT 0 NOT NULL,
	"department" text,
	"replies" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"fallbacks" integer DEFAULT 0 NOT NULL,
	"handoff_reason" text,
	"nps_score" integer,
	"nps_comment" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "knowledge_additions" ADD CONSTRAINT "knowledge_additions_proposal_id_learning_proposals_id_fk" FOREIGN KEY ("proposal_id") REFERENCES "public"."learning_proposals"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "learning_proposal_sources" ADD CONSTRAINT "learning_proposal_sources_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "learning_proposal_sources" ADD CONSTRAINT "learning_proposal_sources_proposal_id_learning_proposals_id_fk" FOREIGN KEY ("proposal_id") REFERENCES "public"."learning_proposals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "learning_proposal_sources" ADD CONSTRAINT "learning_proposal_sources_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "learning_proposals" ADD CONSTRAINT "learning_proposals_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "learning_proposals" ADD CONSTRAINT "learning_proposals_source_message_id_messages_id_fk" FOREIGN KEY ("source_message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "learning_records" ADD CONSTRAINT "learning_records_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "learning_proposal_sources_proposal_idx" ON "learning_proposal_sources" USING btree ("proposal_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "learning_proposals_faq_key" ON "learning_proposals" USING btree ("source_message_id") WHERE "learning_proposals"."kind" = 'faq';--> statement-breakpoint
CREATE UNIQUE INDEX "learning_proposals_detractor_key" ON "learning_proposals" USING btree ("conversation_id") WHERE "learning_proposals"."kind" = 'detractor';--> statement-breakpoint
CREATE UNIQUE INDEX "learning_proposals_group_key" ON "learning_proposals" USING btree ("group_key") WHERE "learning_proposals"."kind" = 'unanswered' and "learning_proposals"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "learning_proposals_status_idx" ON "learning_proposals" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "learning_records_due_idx" ON "learning_records" USING btree ("due_at") WHERE "learning_records"."due_at" is not null;