-- interview-bot schema, version 5: how often each guild has been shown each question, kept
-- up to date as questions are claimed and released, so picking a question reads one row per
-- question of the guild instead of the guild's whole history.
CREATE TABLE question_counts (
    guild_id    INTEGER NOT NULL,
    question_id TEXT    NOT NULL,
    times       INTEGER NOT NULL CHECK (times > 0),
    last_shown  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, question_id)
) STRICT, WITHOUT ROWID;

INSERT INTO question_counts (guild_id, question_id, times, last_shown)
    SELECT guild_id, question_id, COUNT(*), MAX(shown_at)
      FROM question_history GROUP BY guild_id, question_id;
