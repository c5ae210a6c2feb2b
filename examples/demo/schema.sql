-- The demo's example data (scripts/demo.sh), in the StarRocks dialect, loaded through the emulator.
-- sales: a partitioned fact table (one partition per month) and two dimension tables;
-- crm: a partitioned fact table and a non-partitioned table that no name rule classifies.
CREATE DATABASE IF NOT EXISTS sales;
CREATE TABLE IF NOT EXISTS sales.fact_orders (
  order_id BIGINT NOT NULL, order_date DATE NOT NULL, customer_id INT, amount DECIMAL(12, 2)
) DUPLICATE KEY(order_id)
PARTITION BY RANGE(order_date) (
  PARTITION p202508 VALUES LESS THAN ('2025-09-01'),
  PARTITION p202509 VALUES LESS THAN ('2025-10-01'),
  PARTITION p202510 VALUES LESS THAN ('2025-11-01'))
DISTRIBUTED BY HASH(order_id) BUCKETS 2 PROPERTIES ('replication_num' = '1');
CREATE TABLE IF NOT EXISTS sales.dim_customers (customer_id INT NOT NULL, name VARCHAR(64), country VARCHAR(2))
  DUPLICATE KEY(customer_id) DISTRIBUTED BY HASH(customer_id) BUCKETS 1 PROPERTIES ('replication_num' = '1');
CREATE TABLE IF NOT EXISTS sales.dim_products (product_id INT NOT NULL, name VARCHAR(64), price DECIMAL(10, 2))
  DUPLICATE KEY(product_id) DISTRIBUTED BY HASH(product_id) BUCKETS 1 PROPERTIES ('replication_num' = '1');
INSERT INTO sales.dim_customers VALUES (1, 'Ada', 'GB'), (2, 'Grace', 'US'), (3, 'Linus', 'FI');
INSERT INTO sales.dim_products VALUES (10, 'kettle', 39.90), (11, 'teapot', 24.50);
INSERT INTO sales.fact_orders VALUES (1, '2025-08-29', 1, 39.90), (2, '2025-08-30', 2, 24.50);

CREATE DATABASE IF NOT EXISTS crm;
CREATE TABLE IF NOT EXISTS crm.fact_events (
  event_id BIGINT NOT NULL, event_date DATE NOT NULL, contact_id INT, kind VARCHAR(16)
) DUPLICATE KEY(event_id)
PARTITION BY RANGE(event_date) (
  PARTITION p202508 VALUES LESS THAN ('2025-09-01'),
  PARTITION p202509 VALUES LESS THAN ('2025-10-01'))
DISTRIBUTED BY HASH(event_id) BUCKETS 2 PROPERTIES ('replication_num' = '1');
CREATE TABLE IF NOT EXISTS crm.contacts (contact_id INT NOT NULL, email VARCHAR(64))
  DUPLICATE KEY(contact_id) DISTRIBUTED BY HASH(contact_id) BUCKETS 1 PROPERTIES ('replication_num' = '1');
INSERT INTO crm.contacts VALUES (1, 'ada@example.com'), (2, 'grace@example.com');
INSERT INTO crm.fact_events VALUES (1, '2025-08-30', 1, 'signup');
