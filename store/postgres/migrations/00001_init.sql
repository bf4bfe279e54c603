-- Times are Unix microseconds (0 = none); see store/internal/sqlstore.
-- +goose Up
CREATE TABLE stream_events (
    seq         BIGSERIAL PRIMARY KEY,
    id          TEXT    NOT NULL UNIQUE,
    type        TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    account_sid TEXT    NOT NULL,
    event_time  BIGINT  NOT NULL,
    received_at BIGINT  NOT NULL,
    raw         BYTEA   NOT NULL
);
CREATE INDEX stream_events_received ON stream_events (received_at);
CREATE INDEX stream_events_account ON stream_events (account_sid, seq);

CREATE TABLE monitor_events (
    sid         TEXT    PRIMARY KEY,
    account_sid TEXT    NOT NULL,
    event_type  TEXT    NOT NULL,
    event_date  BIGINT  NOT NULL,
    received_at BIGINT  NOT NULL,
    body        BYTEA   NOT NULL
);
CREATE INDEX monitor_events_date ON monitor_events (event_date);
CREATE INDEX monitor_events_account ON monitor_events (account_sid, event_date);

CREATE TABLE cursors (
    account_sid TEXT    NOT NULL,
    poller      TEXT    NOT NULL,
    position    TEXT    NOT NULL,
    updated_at  BIGINT  NOT NULL,
    PRIMARY KEY (account_sid, poller)
);

CREATE TABLE snapshots (
    seq         BIGSERIAL PRIMARY KEY,
    account_sid TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    taken_at    BIGINT  NOT NULL,
    checked_at  BIGINT  NOT NULL,
    digest      TEXT    NOT NULL,
    body        BYTEA   NOT NULL
);
CREATE INDEX snapshots_latest ON snapshots (account_sid, kind, seq);

CREATE TABLE alerts (
    dedup_key   TEXT    PRIMARY KEY,
    account_sid TEXT    NOT NULL,
    severity    TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    detail      BYTEA,
    count       BIGINT  NOT NULL,
    first_seen  BIGINT  NOT NULL,
    last_seen   BIGINT  NOT NULL,
    notified_at BIGINT  NOT NULL,
    resolved_at BIGINT  NOT NULL
);

CREATE TABLE detector_state (
    account_sid TEXT    NOT NULL,
    detector    TEXT    NOT NULL,
    state       BYTEA   NOT NULL,
    updated_at  BIGINT  NOT NULL,
    PRIMARY KEY (account_sid, detector)
);

CREATE TABLE leases (
    name       TEXT    PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_at BIGINT  NOT NULL
);

-- +goose Down
DROP TABLE leases;
DROP TABLE detector_state;
DROP TABLE alerts;
DROP TABLE snapshots;
DROP TABLE cursors;
DROP TABLE monitor_events;
DROP TABLE stream_events;
