-- interview-bot schema, version 6: what `/scores team` and `/scores interviewer` need to read
-- a page of candidates or one interviewer's calibration without reading every score of the
-- guild.

-- Every candidate's ratings, summed: the team's mean on a candidate without reading the
-- candidate's scores (an interviewer's difference from the team is their mean minus the other
-- interviewers' mean, on each candidate they rated). Kept by the triggers below, so that any
-- write to `scores` keeps it true; removed with the candidate.
CREATE TABLE candidate_ratings (
    guild_id     INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL,
    -- How many scores of the candidate carry a rating, and the sum of those ratings.
    ratings      INTEGER NOT NULL CHECK (ratings >= 0),
    rating_sum   INTEGER NOT NULL CHECK (rating_sum >= 0),
    PRIMARY KEY (guild_id, candidate_id),
    FOREIGN KEY (guild_id, candidate_id) REFERENCES candidates (guild_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

INSERT INTO candidate_ratings (guild_id, candidate_id, ratings, rating_sum)
    SELECT guild_id, candidate_id, COUNT(*), SUM(rating)
      FROM scores WHERE rating IS NOT NULL GROUP BY guild_id, candidate_id;

CREATE TRIGGER scores_rating_added AFTER INSERT ON scores
    WHEN NEW.rating IS NOT NULL
BEGIN
    INSERT INTO candidate_ratings (guild_id, candidate_id, ratings, rating_sum)
        VALUES (NEW.guild_id, NEW.candidate_id, 1, NEW.rating)
        ON CONFLICT (guild_id, candidate_id) DO UPDATE
            SET ratings = ratings + 1, rating_sum = rating_sum + excluded.rating_sum;
END;

CREATE TRIGGER scores_rating_changed AFTER UPDATE OF guild_id, candidate_id, rating ON scores
    WHEN OLD.rating IS NOT NEW.rating OR OLD.candidate_id IS NOT NEW.candidate_id
      OR OLD.guild_id IS NOT NEW.guild_id
BEGIN
    UPDATE candidate_ratings
       SET ratings = ratings - 1, rating_sum = rating_sum - OLD.rating
     WHERE OLD.rating IS NOT NULL
       AND guild_id = OLD.guild_id AND candidate_id = OLD.candidate_id;
    INSERT INTO candidate_ratings (guild_id, candidate_id, ratings, rating_sum)
        SELECT NEW.guild_id, NEW.candidate_id, 1, NEW.rating WHERE NEW.rating IS NOT NULL
        ON CONFLICT (guild_id, candidate_id) DO UPDATE
            SET ratings = ratings + 1, rating_sum = rating_sum + excluded.rating_sum;
END;

CREATE TRIGGER scores_rating_removed AFTER DELETE ON scores
    WHEN OLD.rating IS NOT NULL
BEGIN
    UPDATE candidate_ratings
       SET ratings = ratings - 1, rating_sum = rating_sum - OLD.rating
     WHERE guild_id = OLD.guild_id AND candidate_id = OLD.candidate_id;
END;

-- Indexes that hold what the lookups read, so they need not visit the table's rows (each
-- replaces a narrower index on the same leading columns, so a `/score` writes no more
-- indexes than before):
-- one interviewer's ratings, by candidate and interview (calibration, blind scoring);
DROP INDEX scores_by_interviewer;
CREATE INDEX scores_by_interviewer ON scores
    (guild_id, interviewer_id, candidate_id, rating, session_id);
-- one candidate's ratings, by interviewer, interview and question (`/scores team`);
DROP INDEX scores_by_candidate;
CREATE INDEX scores_by_candidate ON scores
    (guild_id, candidate_id, interviewer_id, rating, session_id, question_id);
-- one question's ratings, by candidate and interviewer (`/scores question`);
DROP INDEX scores_by_question;
CREATE INDEX scores_by_question ON scores
    (guild_id, question_id, candidate_id, interviewer_id, rating);
-- a candidate's interviews by start (the newest interview of each candidate);
DROP INDEX interview_sessions_by_candidate;
CREATE INDEX interview_sessions_by_candidate ON interview_sessions
    (guild_id, candidate_id, started_at);
-- one interviewer's recommendations (calibration).
CREATE INDEX recommendations_by_interviewer ON recommendations
    (guild_id, interviewer_id, candidate_id);
