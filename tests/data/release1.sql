-- A database as the first release left it (schema and a few rows), for the upgrade test.
BEGIN TRANSACTION;
CREATE TABLE log_entries (
	id INTEGER NOT NULL, 
	session_id INTEGER NOT NULL, 
	at BIGINT NOT NULL, 
	action VARCHAR(32) NOT NULL, 
	detail TEXT NOT NULL, 
	undo TEXT, 
	undone BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(session_id) REFERENCES sessions (id) ON DELETE CASCADE
);
CREATE TABLE participants (
	id INTEGER NOT NULL, 
	session_id INTEGER NOT NULL, 
	token VARCHAR(64) NOT NULL, 
	name VARCHAR(60) NOT NULL, 
	organisation VARCHAR(80) NOT NULL, 
	created_at BIGINT NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(session_id) REFERENCES sessions (id) ON DELETE CASCADE, 
	UNIQUE (token)
);
INSERT INTO "participants" VALUES(1,1,'DtU1XWZRpUCc6klxeBw8KCAQ-4gYF9um','Bo','City',1795894482880);
CREATE TABLE pitches (
	id INTEGER NOT NULL, 
	session_id INTEGER NOT NULL, 
	participant_id INTEGER, 
	section_id INTEGER, 
	pitcher VARCHAR(60) NOT NULL, 
	organisation VARCHAR(80) NOT NULL, 
	title VARCHAR(80) NOT NULL, 
	offer TEXT NOT NULL, 
	title_alt VARCHAR(80) NOT NULL, 
	offer_alt TEXT NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	position INTEGER NOT NULL, 
	seconds INTEGER NOT NULL, 
	started_at BIGINT, 
	ended_at BIGINT, 
	spoken_ms INTEGER, 
	overrun_ms INTEGER, 
	PRIMARY KEY (id), 
	FOREIGN KEY(session_id) REFERENCES sessions (id) ON DELETE CASCADE, 
	FOREIGN KEY(participant_id) REFERENCES participants (id) ON DELETE SET NULL, 
	FOREIGN KEY(section_id) REFERENCES sections (id) ON DELETE SET NULL
);
INSERT INTO "pitches" VALUES(1,1,NULL,NULL,'Ana','','Bike racks','','','','queued',0,120,NULL,NULL,NULL,NULL);
CREATE TABLE sections (
	id INTEGER NOT NULL, 
	session_id INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	title VARCHAR(120) NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	minutes INTEGER NOT NULL, 
	started_at BIGINT, 
	ended_at BIGINT, 
	PRIMARY KEY (id), 
	FOREIGN KEY(session_id) REFERENCES sessions (id) ON DELETE CASCADE
);
CREATE TABLE sessions (
	id INTEGER NOT NULL, 
	code VARCHAR(6) NOT NULL, 
	moderator_key VARCHAR(64) NOT NULL, 
	title VARCHAR(120) NOT NULL, 
	created_at BIGINT NOT NULL, 
	pitch_seconds INTEGER NOT NULL, 
	dots_per_person INTEGER NOT NULL, 
	max_dots_per_pitch INTEGER NOT NULL, 
	auto_accept BOOLEAN NOT NULL, 
	planned_start BIGINT, 
	planned_end BIGINT, 
	changeover_seconds INTEGER NOT NULL, 
	fit_floor_seconds INTEGER NOT NULL, 
	overrun_policy VARCHAR(8) NOT NULL, 
	overrun_grace_seconds INTEGER NOT NULL, 
	chime BOOLEAN NOT NULL, 
	screen_language VARCHAR(8) NOT NULL, 
	screen_message VARCHAR(140) NOT NULL, 
	pitcher_message VARCHAR(140) NOT NULL, 
	screen_mode VARCHAR(16) NOT NULL, 
	voting VARCHAR(16) NOT NULL, 
	revealed BOOLEAN NOT NULL, 
	current_section_id INTEGER, 
	timer_state VARCHAR(16) NOT NULL, 
	timer_total_ms INTEGER NOT NULL, 
	timer_remaining_ms INTEGER NOT NULL, 
	timer_ends_at BIGINT, 
	revision INTEGER NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO "sessions" VALUES(1,'J4GJ9H','pTRfmQw3TjA5Bh9jkcH5mpQWKUUObeEB','Release one',1795894482865,120,3,1,0,NULL,NULL,15,60,'count',15,1,'en','','','auto','idle',0,NULL,'idle',120000,120000,NULL,0);
CREATE TABLE votes (
	id INTEGER NOT NULL, 
	session_id INTEGER NOT NULL, 
	participant_id INTEGER NOT NULL, 
	pitch_id INTEGER NOT NULL, 
	dots INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT one_row_per_voter_and_pitch UNIQUE (participant_id, pitch_id), 
	CONSTRAINT dots_positive CHECK (dots > 0), 
	FOREIGN KEY(session_id) REFERENCES sessions (id) ON DELETE CASCADE, 
	FOREIGN KEY(participant_id) REFERENCES participants (id) ON DELETE CASCADE, 
	FOREIGN KEY(pitch_id) REFERENCES pitches (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX ix_sessions_code ON sessions (code);
CREATE INDEX ix_participants_session_id ON participants (session_id);
CREATE INDEX ix_log_entries_session_id ON log_entries (session_id);
CREATE INDEX ix_pitches_session_id ON pitches (session_id);
CREATE INDEX ix_votes_session_id ON votes (session_id);
CREATE INDEX ix_votes_pitch_id ON votes (pitch_id);
COMMIT;
