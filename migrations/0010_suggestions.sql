-- interview-bot schema, version 10: members' question suggestions (issue 23). A server that
-- allows them (`guild_settings.suggestions`, set with /config suggestions) takes suggestions
-- with /suggest; interviewers approve one into an imported pack or reject it with a reason,
-- and the member who suggested it sees where it stands.

ALTER TABLE guild_settings ADD COLUMN suggestions INTEGER CHECK (suggestions IN (0, 1));

CREATE TABLE suggestions (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    author_id    INTEGER NOT NULL,
    level        TEXT    NOT NULL,
    topic        TEXT    NOT NULL,
    prompt       TEXT    NOT NULL,
    -- One look-for a line.
    look_fors    TEXT    NOT NULL,
    red_flag     TEXT,
    status       TEXT    NOT NULL CHECK (status IN ('open', 'approved', 'rejected')),
    created_at   INTEGER NOT NULL,
    decided_by   INTEGER,
    decided_at   INTEGER,
    -- Why it was rejected (told to its author).
    reason       TEXT,
    -- Where an approved suggestion went.
    pack_id      TEXT,
    question_id  TEXT
) STRICT;
CREATE INDEX suggestions_by_status ON suggestions (guild_id, status, id);
CREATE INDEX suggestions_by_author ON suggestions (guild_id, author_id, id);
