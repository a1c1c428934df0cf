-- Records that the database has been seeded, so the server seeds only on its first start.
-- One row at most; finished_at is set when every stage of the seed has committed.
CREATE TABLE seed_state (
  singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  preset      text NOT NULL CHECK (preset IN ('small', 'representative')),
  seed        integer NOT NULL,
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
