-- interview-bot schema, version 8: question packs switched on and off per server (issue 23).
-- A pack is on in a server unless a row here says otherwise; a pack that is off gives no
-- questions to /question, daily posts or sessions, while its questions stay readable in
-- lookups and on old buttons. `pack_id` is the pack's slug (`aws`); a row may name a pack no
-- longer loaded, and is kept so the setting returns with the pack.
CREATE TABLE pack_switches (
    guild_id    INTEGER NOT NULL,
    pack_id     TEXT    NOT NULL CHECK (length(pack_id) BETWEEN 1 AND 40),
    enabled     INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    changed_by  INTEGER NOT NULL,
    changed_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, pack_id)
) STRICT;
