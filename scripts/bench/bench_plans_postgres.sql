-- Query plans before/after the read-side indexes and roll-ups (docs/benchmarks.md):
--   psql -h 127.0.0.1 -U postgres bench -f scripts/bench/bench_plans_postgres.sql
\pset pager off
\echo '--- 1a before: page of a rare actor, articles driven, EXISTS probe'
EXPLAIN (ANALYZE, COSTS OFF) SELECT a.id FROM articles a WHERE EXISTS (SELECT 1 FROM article_actors x WHERE x.article_id = a.id AND x.actor_id = 1500) AND a.published IS NOT NULL ORDER BY a.published DESC, a.id DESC LIMIT 21;
\echo '--- 1b after: driven by the covering index'
EXPLAIN (ANALYZE, COSTS OFF) SELECT x.article_id, x.published FROM article_actors x WHERE x.actor_id = 1500 AND x.published IS NOT NULL ORDER BY x.published DESC, x.article_id DESC LIMIT 21;
\echo '--- 2a before: weekly timeline of the top actor for a year, joined to articles'
EXPLAIN (ANALYZE, COSTS OFF) SELECT date_trunc('week', timezone('UTC', a.published)) w, count(*), sum(x.mention_count), sum(x.sentiment_score) FROM article_actors x JOIN articles a ON a.id = x.article_id WHERE x.actor_id = 1 AND a.published >= '2020-01-01' AND a.published < '2021-01-01' GROUP BY w;
\echo '--- 2b after: the covering index alone'
EXPLAIN (ANALYZE, COSTS OFF) SELECT date_trunc('week', timezone('UTC', x.published)) w, count(*), sum(x.mention_count), sum(x.sentiment_score) FROM article_actors x WHERE x.actor_id = 1 AND x.published >= '2020-01-01' AND x.published < '2021-01-01' GROUP BY w;
\echo '--- 3a before: co-mentions of the top actor by self-join'
EXPLAIN (ANALYZE, COSTS OFF) SELECT b.actor_id, count(*) n FROM article_actors a JOIN article_actors b ON b.article_id = a.article_id AND b.actor_id <> a.actor_id WHERE a.actor_id = 1 GROUP BY b.actor_id ORDER BY n DESC LIMIT 10;
\echo '--- 3b after: the actor_pairs roll-up'
EXPLAIN (ANALYZE, COSTS OFF) SELECT other_actor_id, articles FROM actor_pairs WHERE actor_id = 1 AND articles > 0 ORDER BY articles DESC, other_actor_id LIMIT 10;
\echo '--- 4 full text, ranked (the remaining slow query)'
EXPLAIN (ANALYZE, COSTS OFF) SELECT id, ts_rank(search_vector, websearch_to_tsquery('english', 'health care')) r FROM articles WHERE search_vector @@ websearch_to_tsquery('english', 'health care') ORDER BY r DESC, id DESC LIMIT 21;
EXPLAIN (ANALYZE, COSTS OFF) SELECT id, ts_rank(search_vector, websearch_to_tsquery('english', 'ceasefire')) r FROM articles WHERE search_vector @@ websearch_to_tsquery('english', 'ceasefire') ORDER BY r DESC, id DESC LIMIT 21;
