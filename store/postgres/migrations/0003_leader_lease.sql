-- The leader's lease: one row. epoch grows with every new leader and
-- fences the leader's writes; expires_at is on the database's clock, so
-- replicas' clocks never decide who leads; config_hash lets followers
-- see that their config differs from the leader's.
CREATE TABLE leader_lease (
    name        text PRIMARY KEY,
    epoch       bigint NOT NULL,
    holder      text NOT NULL,
    config_hash text NOT NULL,
    acquired_at timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);
