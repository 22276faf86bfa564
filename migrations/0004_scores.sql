-- interview-bot schema, version 4: interview scorecards.
--
-- The candidate, session and score tables of version 1 were never used by any code, so they
-- are replaced here by their final shape: scores belong to an interview session (a re-interview
-- is a new scorecard, not an overwrite), sessions reference candidates within their guild,
-- notes may come before the rating, every change to a score keeps its previous value, and the
-- bot's public messages that show a candidate are remembered so that `forget` removes them too.
DROP TABLE scores;
DROP TABLE interview_sessions;
DROP TABLE candidates;

-- Candidates are named per guild: `name` exactly as first given (trimmed), `name_key` its
-- Unicode lower-case form, unique per guild.
CREATE TABLE candidates (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    name       TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    name_key   TEXT    NOT NULL,
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (guild_id, name_key),
    UNIQUE (guild_id, id)
) STRICT;

-- An interview of a candidate. 'guided': `/interview start` in a channel, questions asked in
-- turn on one bot message (`message_id`); at most one open per channel. 'adhoc': the scores an
-- interviewer gives with `/score` outside a guided session, grouped until it closes.
CREATE TABLE interview_sessions (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    channel_id   INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('guided', 'adhoc')),
    started_by   INTEGER NOT NULL,
    level        TEXT    CHECK (level IN ('junior', 'mid', 'senior')),
    topic        TEXT,
    -- The planned question ids, in order, separated by spaces (guided sessions).
    questions    TEXT    NOT NULL DEFAULT '',
    -- How many of them the starter has rated or skipped.
    position     INTEGER NOT NULL DEFAULT 0,
    message_id   INTEGER,
    status       TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'ended', 'expired')),
    started_at   INTEGER NOT NULL,
    ended_at     INTEGER,
    ended_by     INTEGER,
    UNIQUE (guild_id, id),
    FOREIGN KEY (guild_id, candidate_id) REFERENCES candidates (guild_id, id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX interview_sessions_one_open_per_channel
    ON interview_sessions (guild_id, channel_id) WHERE status = 'open' AND kind = 'guided';
CREATE INDEX interview_sessions_by_candidate ON interview_sessions (guild_id, candidate_id);
CREATE INDEX interview_sessions_open ON interview_sessions (status, started_at);

-- One interviewer's score of one question in one session. `rating` is NULL while only notes
-- were given.
CREATE TABLE scores (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    candidate_id     INTEGER NOT NULL,
    session_id       INTEGER NOT NULL,
    question_id      TEXT    NOT NULL,
    interviewer_id   INTEGER NOT NULL,
    interviewer_name TEXT    NOT NULL,
    rating           INTEGER CHECK (rating BETWEEN 1 AND 4),
    notes            TEXT    NOT NULL DEFAULT '' CHECK (length(notes) <= 1000),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (guild_id, session_id, question_id, interviewer_id),
    FOREIGN KEY (guild_id, candidate_id) REFERENCES candidates (guild_id, id) ON DELETE CASCADE,
    FOREIGN KEY (guild_id, session_id) REFERENCES interview_sessions (guild_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX scores_by_candidate ON scores (guild_id, candidate_id, interviewer_id);
CREATE INDEX scores_by_interviewer ON scores (guild_id, interviewer_id);
CREATE INDEX scores_by_question ON scores (guild_id, question_id);

-- Every change to a score: the value before and after. Deleted with the candidate.
CREATE TABLE score_history (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL,
    score_id     INTEGER NOT NULL,
    old_rating   INTEGER,
    old_notes    TEXT    NOT NULL,
    new_rating   INTEGER,
    new_notes    TEXT    NOT NULL,
    changed_by   INTEGER NOT NULL,
    changed_at   INTEGER NOT NULL,
    FOREIGN KEY (guild_id, candidate_id) REFERENCES candidates (guild_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX score_history_by_candidate ON score_history (guild_id, candidate_id);

-- An interviewer's overall recommendation for a candidate, one per interviewer.
CREATE TABLE recommendations (
    guild_id       INTEGER NOT NULL,
    candidate_id   INTEGER NOT NULL,
    interviewer_id INTEGER NOT NULL,
    interviewer_name TEXT  NOT NULL,
    recommendation TEXT    NOT NULL
        CHECK (recommendation IN ('strong-no', 'no', 'yes', 'strong-yes', 'no-decision')),
    session_id     INTEGER,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (guild_id, candidate_id, interviewer_id),
    FOREIGN KEY (guild_id, candidate_id) REFERENCES candidates (guild_id, id) ON DELETE CASCADE
) STRICT;

-- Public bot messages that show a candidate's name, so `forget` can delete them.
CREATE TABLE candidate_messages (
    guild_id     INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL,
    channel_id   INTEGER NOT NULL,
    message_id   INTEGER NOT NULL,
    PRIMARY KEY (guild_id, message_id),
    FOREIGN KEY (guild_id, candidate_id) REFERENCES candidates (guild_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX candidate_messages_by_candidate ON candidate_messages (guild_id, candidate_id);

-- Who may open rubrics outside interview sessions: a guild default (channel_id 0) and
-- per-channel overrides. No row: interviewers for /question and /answer, everyone for daily
-- practice posts.
CREATE TABLE rubric_access (
    guild_id   INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    access     TEXT    NOT NULL CHECK (access IN ('everyone', 'interviewers')),
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, channel_id)
) STRICT;
