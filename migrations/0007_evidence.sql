-- interview-bot schema, version 7: evidence behind a score (issue 21). An interviewer ticks
-- the look-fors a candidate covered, the bonus points they reached and the red flags heard;
-- the bot suggests a rating from the ticks. A score keeps the rubric it was given against, so
-- a pack edited later (reworded, reordered, a look-for added) never reattaches old ticks to
-- different words.

-- A question's rubric as it was when evidence was given against it: its lists as JSON arrays
-- of strings, and its pass rule. One row per distinct wording, per guild (team packs are per
-- guild); rows are never changed, only added.
CREATE TABLE rubric_versions (
    id          INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    question_id TEXT    NOT NULL,
    look_fors   TEXT    NOT NULL,
    pass        INTEGER NOT NULL CHECK (pass >= 0),
    bonus       TEXT    NOT NULL,
    red_flags   TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (guild_id, id),
    UNIQUE (guild_id, question_id, look_fors, pass, bonus, red_flags)
) STRICT;

-- A score by its guild and id, so evidence can name both (a foreign key needs a unique parent).
CREATE UNIQUE INDEX scores_by_guild_and_id ON scores (guild_id, id);

-- The evidence behind one score (`scores.id`): bit i of `covered`, `bonus`, `red_flags` is
-- item i of that list in the rubric version; `suggested` is the rating the ticks suggest
-- (1 Strong no to 4 Strong yes); `reason` the interviewer's one line when their rating
-- disagrees. Whether a rating overrides the suggestion is read beside the score's rating, so a
-- changed rating never leaves a stale flag. Deleted with the score and with the candidate.
CREATE TABLE score_evidence (
    score_id       INTEGER PRIMARY KEY,
    guild_id       INTEGER NOT NULL,
    candidate_id   INTEGER NOT NULL,
    question_id    TEXT    NOT NULL,
    interviewer_id INTEGER NOT NULL,
    rubric_id      INTEGER NOT NULL,
    covered        INTEGER NOT NULL DEFAULT 0 CHECK (covered BETWEEN 0 AND 4294967295),
    bonus          INTEGER NOT NULL DEFAULT 0 CHECK (bonus BETWEEN 0 AND 4294967295),
    red_flags      INTEGER NOT NULL DEFAULT 0 CHECK (red_flags BETWEEN 0 AND 4294967295),
    suggested      INTEGER NOT NULL CHECK (suggested BETWEEN 1 AND 4),
    reason         TEXT    NOT NULL DEFAULT '' CHECK (length(reason) <= 200),
    updated_at     INTEGER NOT NULL,
    -- The score in the same guild: evidence can never hang off another server's score.
    FOREIGN KEY (guild_id, score_id) REFERENCES scores (guild_id, id) ON DELETE CASCADE,
    FOREIGN KEY (guild_id, candidate_id) REFERENCES candidates (guild_id, id) ON DELETE CASCADE,
    FOREIGN KEY (guild_id, rubric_id) REFERENCES rubric_versions (guild_id, id)
) STRICT;
-- One question's evidence (`/scores question`), holding what it reads.
CREATE INDEX score_evidence_by_question ON score_evidence
    (guild_id, question_id, candidate_id, rubric_id, covered, bonus, red_flags, suggested);
-- One interviewer's evidence (`/scores interviewer`: agreement with the rubric).
CREATE INDEX score_evidence_by_interviewer ON score_evidence
    (guild_id, interviewer_id, suggested);
-- A candidate's evidence (forget, `/scores candidate`).
CREATE INDEX score_evidence_by_candidate ON score_evidence (guild_id, candidate_id);
