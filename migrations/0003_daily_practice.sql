-- interview-bot schema, version 3: daily practice.
-- The daily tables of version 1 were never used; they are replaced by these.
DROP TABLE daily_posts;
DROP TABLE daily_schedules;

-- One schedule per channel. Turning it off keeps the row (status 'off'), so the record of
-- the day's post survives and a schedule set again the same day does not post twice.
CREATE TABLE daily_schedules (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    channel_id      INTEGER NOT NULL,
    channel_name    TEXT    NOT NULL DEFAULT '',
    post_time       TEXT    NOT NULL,          -- local wall-clock time, 'HH:MM'
    timezone        TEXT    NOT NULL,          -- IANA name, e.g. 'Europe/Berlin'
    level           TEXT    NOT NULL CHECK (level IN ('junior', 'mid', 'senior', 'ramp')),
    topic           TEXT,                      -- NULL: any topic
    role_id         INTEGER,                   -- the role mentioned with each post
    reveal_after_s  INTEGER NOT NULL CHECK (reveal_after_s BETWEEN 0 AND 86400),
    days            INTEGER NOT NULL CHECK (days BETWEEN 1 AND 127),  -- bit 0 = Monday
    status          TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'off')),
    paused_reason   TEXT,
    failing_since   INTEGER,                   -- a transient failure incident, if one is open
    retry_at        INTEGER,                   -- not before this instant (backoff)
    created_by      INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (guild_id, channel_id),
    UNIQUE (guild_id, id)
) STRICT;
CREATE INDEX daily_schedules_active ON daily_schedules (status);

-- Every daily post: claimed before it is sent (status 'claimed', with its nonce), 'posted'
-- once Discord returned the message. At most one scheduled post per channel and local day.
CREATE TABLE daily_posts (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: extra posts' nonces use it
    guild_id          INTEGER NOT NULL,
    channel_id        INTEGER NOT NULL,
    schedule_id       INTEGER NOT NULL,
    kind              TEXT    NOT NULL CHECK (kind IN ('scheduled', 'extra')),
    local_date        TEXT    NOT NULL,        -- 'YYYY-MM-DD' in the schedule's zone
    question_id       TEXT    NOT NULL,
    history_claim     INTEGER,                 -- question_history row of this post
    nonce             TEXT    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('claimed', 'posted')),
    -- For a claim: what to do next once `retry_at` has come. NULL: the process stopped after
    -- claiming, so look for the post first ('settle'); 'resend': sending failed on Discord's
    -- side, so send the same question again with the same nonce.
    next_step         TEXT    CHECK (next_step IN ('settle', 'resend')),
    retry_at          INTEGER,
    message_id        INTEGER,
    claimed_at        INTEGER NOT NULL,
    posted_at         INTEGER,
    reveal_due_at     INTEGER,                 -- NULL: no reveal
    reveal_retry_at   INTEGER,                 -- a failed reveal is tried again after this
    reveal_status     TEXT    CHECK (reveal_status IN ('claimed', 'reply', 'revealed')),  -- 'reply': no thread could be made
    revealed_at       INTEGER,
    thread_id         INTEGER,
    FOREIGN KEY (guild_id, schedule_id) REFERENCES daily_schedules (guild_id, id)
) STRICT;
CREATE UNIQUE INDEX daily_posts_one_a_day ON daily_posts (guild_id, channel_id, local_date)
    WHERE kind = 'scheduled';
CREATE INDEX daily_posts_reveals ON daily_posts (reveal_status, reveal_due_at);
CREATE INDEX daily_posts_claims ON daily_posts (status);
