-- interview-bot schema, version 2.

-- A question is claimed (picked and recorded in one transaction, status 'pending') before it
-- is sent, and marked 'shown' with the message id once Discord (or the console) took it; a
-- claim whose delivery failed is removed again. Rows from version 1 were all shown.
ALTER TABLE question_history ADD COLUMN status TEXT NOT NULL DEFAULT 'shown'
    CHECK (status IN ('pending', 'shown'));
ALTER TABLE question_history ADD COLUMN message_id INTEGER;
-- When the "Another question" button of this question's card was used (one next question per
-- card); NULL while unused.
ALTER TABLE question_history ADD COLUMN next_used_at INTEGER;

-- Button ids are at most 100 characters on Discord. An action id that would not fit is stored
-- here and the button carries `h:<id>` instead; the handle only resolves in its own guild.
CREATE TABLE action_handles (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    action     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (guild_id, action)
) STRICT;
