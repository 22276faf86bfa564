-- interview-bot schema, version 9: question packs a server imported from Discord (issue 23).
-- The shipped packs stay in the binary; a server's own packs live here, so memory stays
-- bounded however many servers import. Ids are per server: two servers may use the same id
-- for different questions without meeting.

-- A pack a server imported: its name, description and readable topic names (a JSON object,
-- slug to name), and who imported it last and when.
CREATE TABLE team_packs (
    guild_id     INTEGER NOT NULL,
    pack_id      TEXT    NOT NULL CHECK (length(pack_id) BETWEEN 1 AND 40),
    name         TEXT,
    description  TEXT,
    topic_names  TEXT    NOT NULL DEFAULT '{}',
    imported_by  INTEGER NOT NULL,
    imported_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, pack_id)
) STRICT;

-- One imported question: its id, pack, level and topic as columns (picking reads only these),
-- and its whole content as JSON. A question that a re-import or a removal dropped while
-- scores, sessions, evidence or history still name it is kept with `retired_at` set: readable
-- in lookups, never picked.
CREATE TABLE team_questions (
    guild_id     INTEGER NOT NULL,
    question_id  TEXT    NOT NULL CHECK (length(question_id) BETWEEN 1 AND 64),
    pack_id      TEXT    NOT NULL,
    level        TEXT    NOT NULL,
    topic        TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    retired_at   INTEGER,
    PRIMARY KEY (guild_id, question_id)
) STRICT;
CREATE INDEX team_questions_by_pack ON team_questions (guild_id, pack_id);

-- The ids an imported question had before a rename, so stored scores still find it.
CREATE TABLE team_question_aliases (
    guild_id     INTEGER NOT NULL,
    alias        TEXT    NOT NULL,
    question_id  TEXT    NOT NULL,
    PRIMARY KEY (guild_id, alias)
) STRICT;

-- A checked file waiting for Import or Cancel: the file as uploaded, and the server's pack
-- version when it was previewed, so Import stores what the interviewer saw or refuses when
-- the packs changed in between. Removed when used or cancelled, and a day after.
CREATE TABLE pack_imports (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    file_name    TEXT    NOT NULL,
    content      TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    created_by   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX pack_imports_by_guild ON pack_imports (guild_id, created_at);

-- Bumped by every import, removal and switch, so a cached view of a server's packs knows
-- when it is stale (and a process sees another's change).
CREATE TABLE team_pack_versions (
    guild_id     INTEGER PRIMARY KEY,
    version      INTEGER NOT NULL
) STRICT;
-- Servers that switched a pack before this version start at 1, so a cached view reads them.
INSERT INTO team_pack_versions (guild_id, version) SELECT DISTINCT guild_id, 1 FROM pack_switches;
