CREATE TABLE accounts (id serial, sid text, request_hash text);
INSERT INTO accounts (sid, request_hash) VALUES ('ACe4a0bc5ba562d8ccebfa7d931b819769', 'f5ee0ca4f91c37bdcc52241ca5a3f456');
INSERT INTO events (id) VALUES ('000ba099fc34322dbc8ad7b172b9f7f8');
