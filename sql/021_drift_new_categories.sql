-- New categories by name (issue 16): the run's most frequent categories that the reference does not have, which the
-- bins count together as "(other)".
ALTER TABLE scoring.drift_features ADD COLUMN new_categories jsonb NOT NULL DEFAULT '[]';

COMMENT ON COLUMN scoring.drift_features.new_categories IS
    'Up to five of the run''s categories that the reference does not have, most frequent first: [{"category": name, "cur": share of the run''s rows}]; they are inside the "(other)" bin; [] for numeric features';
