-- The department menu is the bot saying it could not tell what was asked: a fallback to learn
-- from. Menu rows now carry that source in their payload when written (workers/turn-menu.ts),
-- as replies carry theirs; rows written before get it here, so the learning run reads one
-- column for every outbound row.
UPDATE messages SET payload = coalesce(payload, '{}'::jsonb) || '{"source": "fallback"}'::jsonb
WHERE direction = 'out' AND kind = 'menu' AND (payload IS NULL OR NOT payload ? 'source');
