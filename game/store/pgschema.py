"""The PostgreSQL schema: numbered migrations (applied in order by `PostgresStore` when a store
opens) and the statements that keep bests and the board and rank them."""

from __future__ import annotations

MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE players (
            id text PRIMARY KEY,
            seq bigserial UNIQUE,
            name text NOT NULL,
            team text NOT NULL,
            created text NOT NULL,
            pin_hash text,
            UNIQUE (team, name)
        );
        CREATE TABLE runs (
            seq bigserial PRIMARY KEY,
            run_id text NOT NULL UNIQUE,
            player_id text NOT NULL,
            level_id text NOT NULL,
            mode text NOT NULL,
            autoplay boolean NOT NULL,
            total integer NOT NULL,
            finished text NOT NULL,
            data jsonb NOT NULL
        );
        CREATE INDEX runs_player_level ON runs (player_id, level_id, seq);
        CREATE TABLE bests (
            player_id text NOT NULL,
            level_id text NOT NULL,
            score integer NOT NULL,
            stars integer NOT NULL,
            passed boolean NOT NULL,
            attempts integer NOT NULL,
            reached text NOT NULL,
            run_id text NOT NULL,
            PRIMARY KEY (player_id, level_id)
        );
        CREATE TABLE board (
            level_id text NOT NULL,
            player_id text NOT NULL,
            autoplay boolean NOT NULL,
            player text NOT NULL,
            team text NOT NULL,
            score integer NOT NULL,
            stars integer NOT NULL,
            passed boolean NOT NULL,
            attempts integer NOT NULL,
            reached text NOT NULL,
            reached_at double precision NOT NULL,
            run_id text NOT NULL,
            seed bigint NOT NULL,
            inputs jsonb NOT NULL,
            PRIMARY KEY (level_id, player_id, autoplay)
        );
        CREATE INDEX board_rank ON board (level_id, autoplay, score DESC, reached_at);
        CREATE TABLE wrong (player_id text PRIMARY KEY, keys jsonb NOT NULL);
        CREATE TABLE progress (player_id text PRIMARY KEY, snapshot jsonb NOT NULL);
        """,
    ),
]
MIGRATIONS.append(
    (
        2,
        # The weekly board reads the runs of this week: `finished_at` (a timestamp, from the
        # run's ISO time; 0 where that cannot be read) and a partial index on assessment runs keep
        # it to the week's runs, however long the history. Review cards and placement results
        # (the 错题本 and 定级, on the server for a team).
        """
        CREATE FUNCTION collectquest_epoch(text) RETURNS double precision LANGUAGE plpgsql IMMUTABLE AS $$
        BEGIN
            RETURN extract(epoch FROM $1::timestamptz);
        EXCEPTION WHEN others THEN
            RETURN 0;
        END $$;
        ALTER TABLE runs ADD COLUMN finished_at double precision;
        UPDATE runs SET finished_at = collectquest_epoch(finished);
        ALTER TABLE runs ALTER COLUMN finished_at SET NOT NULL;
        CREATE INDEX runs_week ON runs (finished_at) WHERE mode = 'assessment';
        CREATE TABLE cards (
            player_id text NOT NULL,
            card_id text NOT NULL,
            due_at text NOT NULL,
            card jsonb NOT NULL,
            PRIMARY KEY (player_id, card_id)
        );
        CREATE TABLE placements (player_id text PRIMARY KEY, result jsonb NOT NULL);
        CREATE TABLE cards_migrated (player_id text PRIMARY KEY);
        """,
    )
)
SCHEMA_VERSION = MIGRATIONS[-1][0]

BEST_UPSERT = """
INSERT INTO bests (player_id, level_id, score, stars, passed, attempts, reached, run_id)
VALUES (%(player_id)s, %(level_id)s, %(total)s, %(stars)s, %(passed)s, 1, %(finished)s, %(run_id)s)
ON CONFLICT (player_id, level_id) DO UPDATE SET
    attempts = bests.attempts + 1,
    passed = bests.passed OR EXCLUDED.passed,
    stars = GREATEST(bests.stars, EXCLUDED.stars),
    reached = CASE WHEN EXCLUDED.score > bests.score THEN EXCLUDED.reached ELSE bests.reached END,
    run_id = CASE WHEN EXCLUDED.score > bests.score THEN EXCLUDED.run_id ELSE bests.run_id END,
    score = GREATEST(bests.score, EXCLUDED.score)
"""

BOARD_UPSERT = """
INSERT INTO board (level_id, player_id, autoplay, player, team, score, stars, passed, attempts,
                   reached, reached_at, run_id, seed, inputs)
VALUES (%(level_id)s, %(player_id)s, %(autoplay)s, %(player)s, %(team)s, %(total)s, %(stars)s,
        %(passed)s, 1, %(finished)s, %(reached_at)s, %(run_id)s, %(seed)s, %(inputs)s)
ON CONFLICT (level_id, player_id, autoplay) DO UPDATE SET
    player = EXCLUDED.player,
    team = EXCLUDED.team,
    attempts = board.attempts + 1,
    stars = CASE WHEN EXCLUDED.score > board.score THEN EXCLUDED.stars ELSE board.stars END,
    passed = CASE WHEN EXCLUDED.score > board.score THEN EXCLUDED.passed ELSE board.passed END,
    reached = CASE WHEN EXCLUDED.score > board.score THEN EXCLUDED.reached ELSE board.reached END,
    reached_at = CASE WHEN EXCLUDED.score > board.score THEN EXCLUDED.reached_at ELSE board.reached_at END,
    run_id = CASE WHEN EXCLUDED.score > board.score THEN EXCLUDED.run_id ELSE board.run_id END,
    seed = CASE WHEN EXCLUDED.score > board.score THEN EXCLUDED.seed ELSE board.seed END,
    inputs = CASE WHEN EXCLUDED.score > board.score THEN EXCLUDED.inputs ELSE board.inputs END,
    score = GREATEST(board.score, EXCLUDED.score)
"""

# Per player: the sum over levels of the counted slot (best, or best and autoplay together:
# the higher score, earliest on a tie, attempts summed), ranked like the leaderboard file.
PLAYER_BOARD = """
WITH entry AS (
    SELECT DISTINCT ON (level_id, player_id)
           level_id, player_id, player, team, score, reached, reached_at,
           SUM(attempts) OVER (PARTITION BY level_id, player_id) AS attempts
    FROM board
    WHERE (NOT autoplay OR %(autoplay)s) AND (%(level)s::text IS NULL OR level_id = %(level)s::text)
    ORDER BY level_id, player_id, score DESC, reached_at ASC
), totals AS (
    SELECT player_id, MAX(player) AS player, MAX(team) AS team, SUM(score)::bigint AS score,
           SUM(attempts)::bigint AS attempts, (array_agg(reached ORDER BY reached_at DESC))[1] AS reached,
           MAX(reached_at) AS reached_at
    FROM entry GROUP BY player_id
)
SELECT player, team, score, attempts, reached, player_id FROM totals
ORDER BY score DESC, reached_at ASC, player COLLATE "C", player_id COLLATE "C"
LIMIT %(limit)s
"""

# The same ranking over the assessment runs finished since %(since)s (the weekly board); names and
# teams as the players table has them now (the all-time board keeps the latest too).
WEEK_BOARD = """
WITH week AS (
    SELECT level_id, player_id, total, finished, finished_at
    FROM runs
    WHERE mode = 'assessment' AND finished_at >= %(since)s AND (NOT autoplay OR %(autoplay)s)
          AND NOT (level_id = ANY(%(unranked)s)) AND (%(level)s::text IS NULL OR level_id = %(level)s::text)
), entry AS (
    SELECT DISTINCT ON (level_id, player_id) level_id, player_id, total AS score, finished AS reached,
           finished_at AS reached_at
    FROM week ORDER BY level_id, player_id, total DESC, finished_at ASC
), counted AS (
    SELECT level_id, player_id, COUNT(*) AS attempts FROM week GROUP BY level_id, player_id
), totals AS (
    SELECT player_id, SUM(score)::bigint AS score, SUM(attempts)::bigint AS attempts,
           (array_agg(reached ORDER BY reached_at DESC))[1] AS reached, MAX(reached_at) AS reached_at
    FROM entry JOIN counted USING (level_id, player_id) GROUP BY player_id
)
SELECT p.name, p.team, t.score, t.attempts, t.reached, t.player_id
FROM totals t JOIN players p ON p.id = t.player_id
ORDER BY t.score DESC, t.reached_at ASC, p.name COLLATE "C", t.player_id COLLATE "C"
LIMIT %(limit)s
"""
