-- The directory's id for the group of a membership event (Okta's UserGroup target
-- `id`), next to its name: flows read it as `event.group.id`. Events stored before
-- this migration have none.
ALTER TABLE events ADD COLUMN group_id TEXT;
