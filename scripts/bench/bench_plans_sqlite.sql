-- Query plans before/after the read-side indexes and roll-ups (docs/benchmarks.md):
--   sqlite3 /tmp/bench/lens100k.db < scripts/bench/bench_plans_sqlite.sql
.timer on
.print '--- 1a before: page of an actor, articles driven, EXISTS probe'
EXPLAIN QUERY PLAN SELECT a.id FROM articles a WHERE EXISTS (SELECT 1 FROM article_actors x WHERE x.article_id = a.id AND x.actor_id = 6) AND a.published IS NOT NULL ORDER BY a.published DESC, a.id DESC LIMIT 21;
SELECT count(*) FROM (SELECT a.id FROM articles a WHERE EXISTS (SELECT 1 FROM article_actors x WHERE x.article_id = a.id AND x.actor_id = 1500) AND a.published IS NOT NULL ORDER BY a.published DESC, a.id DESC LIMIT 21);
.print '--- 1b after: driven by the covering index'
EXPLAIN QUERY PLAN SELECT x.article_id, x.published FROM article_actors x WHERE x.actor_id = 1500 AND x.published IS NOT NULL ORDER BY x.published DESC, x.article_id DESC LIMIT 21;
SELECT count(*) FROM (SELECT x.article_id, x.published FROM article_actors x WHERE x.actor_id = 1500 AND x.published IS NOT NULL ORDER BY x.published DESC, x.article_id DESC LIMIT 21);
.print '--- 2a before: weekly timeline of the top actor for a year, joined to articles'
EXPLAIN QUERY PLAN SELECT date(a.published, '-6 days', 'weekday 1') w, count(*), sum(x.mention_count), sum(x.sentiment_score) FROM article_actors x JOIN articles a ON a.id = x.article_id WHERE x.actor_id = 1 AND a.published >= '2020-01-01' AND a.published < '2021-01-01' GROUP BY w;
SELECT count(*) FROM (SELECT date(a.published, '-6 days', 'weekday 1') w, count(*), sum(x.mention_count), sum(x.sentiment_score) FROM article_actors x JOIN articles a ON a.id = x.article_id WHERE x.actor_id = 1 AND a.published >= '2020-01-01' AND a.published < '2021-01-01' GROUP BY w);
.print '--- 2b after: the covering index alone'
EXPLAIN QUERY PLAN SELECT date(x.published, '-6 days', 'weekday 1') w, count(*), sum(x.mention_count), sum(x.sentiment_score) FROM article_actors x WHERE x.actor_id = 1 AND x.published >= '2020-01-01' AND x.published < '2021-01-01' GROUP BY w;
SELECT count(*) FROM (SELECT date(x.published, '-6 days', 'weekday 1') w, count(*), sum(x.mention_count), sum(x.sentiment_score) FROM article_actors x WHERE x.actor_id = 1 AND x.published >= '2020-01-01' AND x.published < '2021-01-01' GROUP BY w);
.print '--- 3a before: co-mentions of the top actor by self-join'
EXPLAIN QUERY PLAN SELECT b.actor_id, count(*) n FROM article_actors a JOIN article_actors b ON b.article_id = a.article_id AND b.actor_id <> a.actor_id WHERE a.actor_id = 1 GROUP BY b.actor_id ORDER BY n DESC LIMIT 10;
SELECT count(*) FROM (SELECT b.actor_id, count(*) n FROM article_actors a JOIN article_actors b ON b.article_id = a.article_id AND b.actor_id <> a.actor_id WHERE a.actor_id = 1 GROUP BY b.actor_id ORDER BY n DESC LIMIT 10);
.print '--- 3b after: the actor_pairs roll-up'
EXPLAIN QUERY PLAN SELECT other_actor_id, articles FROM actor_pairs WHERE actor_id = 1 AND articles > 0 ORDER BY articles DESC, other_actor_id LIMIT 10;
SELECT count(*) FROM (SELECT other_actor_id, articles FROM actor_pairs WHERE actor_id = 1 AND articles > 0 ORDER BY articles DESC, other_actor_id LIMIT 10);
.print '--- 4a before: actor totals and by-outlet sentiment by scanning the actor rows'
SELECT count(*) FROM (SELECT outlet_id, count(*), sum(mention_count), sum(sentiment_score) FROM article_actors WHERE actor_id = 1 GROUP BY outlet_id);
.print '--- 4b after: the actor_outlet_stats roll-up'
SELECT count(*) FROM (SELECT outlet_id, articles, mentions, score_sum FROM actor_outlet_stats WHERE actor_id = 1 ORDER BY articles DESC LIMIT 20);
