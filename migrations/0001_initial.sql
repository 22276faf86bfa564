-- interview-bot schema, version 1.
-- Every row carries the Discord guild (server) it belongs to; the console uses guild 0.
-- Times are Unix milliseconds (UTC). Discord ids (snowflakes) are stored as INTEGER.

-- Per-guild settings: who counts as an interviewer, the guild's default time zone.
CREATE TABLE guild_settings (
    guild_id            INTEGER PRIMARY KEY,
    interviewer_role_id INTEGER,
    timezone            TEXT,
    updated_by          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
) STRICT;

-- Every question shown, so the bot avoids repeats within a guild.
CREATE TABLE question_history (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    question_id TEXT    NOT NULL,
    shown_by    INTEGER,            -- the user who asked; NULL for scheduled posts
    source      TEXT    NOT NULL CHECK (source IN ('command', 'daily', 'session')),
    shown_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX question_history_by_guild ON question_history (guild_id, question_id);
CREATE INDEX question_history_by_channel ON question_history (guild_id, channel_id, shown_at);

-- Daily practice: one question a day in a channel at a local time, answer revealed later.
CREATE TABLE daily_schedules (
    guild_id       INTEGER NOT NULL,
    channel_id     INTEGER NOT NULL,
    level          TEXT CHECK (level IN ('junior', 'mid', 'senior')),  -- NULL: any level
    topic          TEXT,                                               -- NULL: any topic
    post_time      TEXT    NOT NULL,   -- local wall-clock time, 'HH:MM'
    timezone       TEXT    NOT NULL,   -- IANA name, e.g. 'Europe/Berlin'
    reveal_after_minutes INTEGER NOT NULL CHECK (reveal_after_minutes BETWEEN 0 AND 1440),
    enabled        INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_by     INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (guild_id, channel_id)
) STRICT;

CREATE TABLE daily_posts (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    channel_id   INTEGER NOT NULL,
    local_date   TEXT    NOT NULL,     -- 'YYYY-MM-DD' in the schedule's time zone
    question_id  TEXT    NOT NULL,
    message_id   INTEGER,              -- set once Discord accepted the post
    posted_at    INTEGER NOT NULL,
    reveal_due_at INTEGER NOT NULL,
    revealed_at  INTEGER,
    UNIQUE (guild_id, channel_id, local_date),
    FOREIGN KEY (guild_id, channel_id) REFERENCES daily_schedules (guild_id, channel_id)
        ON DELETE CASCADE
) STRICT;
CREATE INDEX daily_posts_reveal_due ON daily_posts (revealed_at, reveal_due_at);

-- Candidates are named per guild; deleting one removes their sessions and scores.
CREATE TABLE candidates (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    name_key   TEXT    NOT NULL,       -- case-folded name, unique per guild
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (guild_id, name_key),
    UNIQUE (guild_id, id)
) STRICT;

-- A guided interview: one interviewer, one candidate, questions asked in turn.
CREATE TABLE interview_sessions (
    id             INTEGER PRIMARY KEY,
    guild_id       INTEGER NOT NULL,
    channel_id     INTEGER NOT NULL,
    candidate_id   INTEGER NOT NULL,
    interviewer_id INTEGER NOT NULL,
    level          TEXT    NOT NULL CHECK (level IN ('junior', 'mid', 'senior')),
    topic          TEXT,
    status         TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'finished', 'abandoned')),
    started_at     INTEGER NOT NULL,
    ended_at       INTEGER,
    UNIQUE (guild_id, id),
    FOREIGN KEY (guild_id, candidate_id) REFERENCES candidates (guild_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX interview_sessions_active ON interview_sessions (guild_id, interviewer_id, status);

-- Scores on the anchored 4-point scale, one per candidate, question and interviewer.
CREATE TABLE scores (
    id             INTEGER PRIMARY KEY,
    guild_id       INTEGER NOT NULL,
    candidate_id   INTEGER NOT NULL,
    session_id     INTEGER,
    question_id    TEXT    NOT NULL,
    interviewer_id INTEGER NOT NULL,
    rating         INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    notes          TEXT    NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (guild_id, candidate_id, question_id, interviewer_id),
    FOREIGN KEY (guild_id, candidate_id) REFERENCES candidates (guild_id, id) ON DELETE CASCADE,
    FOREIGN KEY (session_id) REFERENCES interview_sessions (id) ON DELETE SET NULL
) STRICT;
CREATE INDEX scores_by_interviewer ON scores (guild_id, interviewer_id);

-- Who did what to hiring data, and when. Kept when a candidate is deleted (the subject is then
-- recorded without personal detail).
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    actor_id INTEGER NOT NULL,
    action   TEXT    NOT NULL,
    subject  TEXT    NOT NULL DEFAULT '',
    detail   TEXT    NOT NULL DEFAULT '',
    at       INTEGER NOT NULL
) STRICT;
CREATE INDEX audit_log_by_guild ON audit_log (guild_id, at);
