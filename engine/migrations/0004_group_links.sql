-- Group push: which app group stands for which directory group, per instance.
CREATE TABLE IF NOT EXISTS group_links (
    instance        TEXT NOT NULL,
    -- The directory group's name (as rules name it).
    directory_group TEXT NOT NULL,
    app_group_id    TEXT NOT NULL,
    -- The group's name in the app when the engine last wrote or read it: a different
    -- name in the app later is a rename by hand, flagged rather than fought over.
    name            TEXT NOT NULL,
    -- 'created' (by the engine) or 'adopted' (existed before and was linked).
    origin          TEXT NOT NULL,
    -- Whether the rule that pushed it let the engine delete it once no rule pushes it.
    deletable       INTEGER NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (instance, directory_group)
);
CREATE UNIQUE INDEX IF NOT EXISTS group_links_by_app_group ON group_links (instance, app_group_id);

-- The members the engine pushed into each group, for services whose groups never list
-- their members (Canva): what the next plan compares with.
CREATE TABLE IF NOT EXISTS group_members (
    instance        TEXT NOT NULL,
    directory_group TEXT NOT NULL,
    account_id      TEXT NOT NULL,
    PRIMARY KEY (instance, directory_group, account_id)
);
