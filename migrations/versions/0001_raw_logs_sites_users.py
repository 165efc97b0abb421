"""raw logs sites users

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 22:26:17.999686
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('kv_option',
    sa.Column('name', sa.String(length=191), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_kv_option'))
    )
    op.create_table('log_action',
    sa.Column('idaction', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('name', sa.Text().with_variant(mysql.MEDIUMTEXT(), 'mariadb').with_variant(mysql.MEDIUMTEXT(), 'mysql'), nullable=False),
    sa.Column('hash', sa.BigInteger(), nullable=False),
    sa.Column('type', sa.SmallInteger(), nullable=False),
    sa.Column('url_prefix', sa.SmallInteger(), nullable=True),
    sa.PrimaryKeyConstraint('idaction', name=op.f('pk_log_action'))
    )
    with op.batch_alter_table('log_action', schema=None) as batch_op:
        batch_op.create_index('ix_log_action_type_hash', ['type', 'hash'], unique=False)

    op.create_table('log_conversion',
    sa.Column('idvisit', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('idgoal', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('buster', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('idsite', sa.Integer(), nullable=False),
    sa.Column('idvisitor', sa.LargeBinary(length=8).with_variant(sa.BINARY(length=8), 'mariadb').with_variant(sa.BINARY(length=8), 'mysql'), nullable=False),
    sa.Column('server_time', sa.DateTime(), nullable=False),
    sa.Column('idaction_url', sa.BigInteger(), nullable=True),
    sa.Column('idlink_va', sa.BigInteger(), nullable=True),
    sa.Column('idorder', sa.String(length=100), nullable=True),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('revenue', sa.Float(), nullable=False),
    sa.Column('revenue_subtotal', sa.Float(), nullable=True),
    sa.Column('revenue_tax', sa.Float(), nullable=True),
    sa.Column('revenue_shipping', sa.Float(), nullable=True),
    sa.Column('revenue_discount', sa.Float(), nullable=True),
    sa.Column('pageviews_before', sa.Integer(), nullable=False),
    sa.Column('visitor_returning', sa.SmallInteger(), nullable=False),
    sa.Column('visitor_count_visits', sa.Integer(), nullable=False),
    sa.Column('visitor_seconds_since_first', sa.Integer(), nullable=True),
    sa.Column('visitor_seconds_since_order', sa.Integer(), nullable=True),
    sa.Column('referer_type', sa.SmallInteger(), nullable=False),
    sa.Column('referer_name', sa.String(length=255), nullable=True),
    sa.Column('referer_keyword', sa.String(length=255), nullable=True),
    sa.Column('location_country', sa.String(length=3), nullable=False),
    sa.Column('location_region', sa.String(length=3), nullable=True),
    sa.Column('location_city', sa.String(length=255), nullable=True),
    sa.Column('config_browser_name', sa.String(length=40), nullable=False),
    sa.Column('config_device_type', sa.SmallInteger(), nullable=True),
    sa.Column('config_os', sa.String(length=3), nullable=False),
    sa.PrimaryKeyConstraint('idvisit', 'idgoal', 'buster', name=op.f('pk_log_conversion')),
    sa.UniqueConstraint('idsite', 'idorder', name=op.f('uq_log_conversion_idsite_idorder'))
    )
    with op.batch_alter_table('log_conversion', schema=None) as batch_op:
        batch_op.create_index('ix_log_conversion_site_time', ['idsite', 'server_time'], unique=False)

    op.create_table('log_conversion_item',
    sa.Column('idvisit', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('idorder', sa.String(length=100), nullable=False),
    sa.Column('idaction_sku', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('idsite', sa.Integer(), nullable=False),
    sa.Column('idvisitor', sa.LargeBinary(length=8).with_variant(sa.BINARY(length=8), 'mariadb').with_variant(sa.BINARY(length=8), 'mysql'), nullable=False),
    sa.Column('server_time', sa.DateTime(), nullable=False),
    sa.Column('idaction_name', sa.BigInteger(), nullable=True),
    sa.Column('idaction_category', sa.BigInteger(), nullable=True),
    sa.Column('idaction_category2', sa.BigInteger(), nullable=True),
    sa.Column('idaction_category3', sa.BigInteger(), nullable=True),
    sa.Column('idaction_category4', sa.BigInteger(), nullable=True),
    sa.Column('idaction_category5', sa.BigInteger(), nullable=True),
    sa.Column('price', sa.Float(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('idvisit', 'idorder', 'idaction_sku', name=op.f('pk_log_conversion_item'))
    )
    with op.batch_alter_table('log_conversion_item', schema=None) as batch_op:
        batch_op.create_index('ix_log_conversion_item_site_time', ['idsite', 'server_time'], unique=False)

    op.create_table('log_link_visit_action',
    sa.Column('idlink_va', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('idsite', sa.Integer(), nullable=False),
    sa.Column('idvisitor', sa.LargeBinary(length=8).with_variant(sa.BINARY(length=8), 'mariadb').with_variant(sa.BINARY(length=8), 'mysql'), nullable=False),
    sa.Column('idvisit', sa.BigInteger(), nullable=False),
    sa.Column('server_time', sa.DateTime(), nullable=False),
    sa.Column('action_type', sa.SmallInteger(), nullable=False),
    sa.Column('idaction_url', sa.BigInteger(), nullable=True),
    sa.Column('idaction_name', sa.BigInteger(), nullable=True),
    sa.Column('idaction_url_ref', sa.BigInteger(), nullable=True),
    sa.Column('idaction_name_ref', sa.BigInteger(), nullable=True),
    sa.Column('time_spent_ref_action', sa.Integer(), nullable=False),
    sa.Column('time_spent', sa.Integer(), nullable=True),
    sa.Column('pageview_position', sa.Integer(), nullable=True),
    sa.Column('idpageview', sa.String(length=6), nullable=True),
    sa.Column('custom_float', sa.Float(), nullable=True),
    sa.Column('search_cat', sa.String(length=200), nullable=True),
    sa.Column('search_count', sa.Integer(), nullable=True),
    sa.Column('idaction_event_category', sa.BigInteger(), nullable=True),
    sa.Column('idaction_event_action', sa.BigInteger(), nullable=True),
    sa.Column('idaction_content_name', sa.BigInteger(), nullable=True),
    sa.Column('idaction_content_piece', sa.BigInteger(), nullable=True),
    sa.Column('idaction_content_target', sa.BigInteger(), nullable=True),
    sa.Column('idaction_content_interaction', sa.BigInteger(), nullable=True),
    sa.Column('idaction_product_sku', sa.BigInteger(), nullable=True),
    sa.Column('idaction_product_name', sa.BigInteger(), nullable=True),
    sa.Column('idaction_product_cat', sa.BigInteger(), nullable=True),
    sa.Column('idaction_product_cat2', sa.BigInteger(), nullable=True),
    sa.Column('idaction_product_cat3', sa.BigInteger(), nullable=True),
    sa.Column('idaction_product_cat4', sa.BigInteger(), nullable=True),
    sa.Column('idaction_product_cat5', sa.BigInteger(), nullable=True),
    sa.Column('product_price', sa.Float(), nullable=True),
    sa.Column('time_network', sa.Integer(), nullable=True),
    sa.Column('time_server', sa.Integer(), nullable=True),
    sa.Column('time_transfer', sa.Integer(), nullable=True),
    sa.Column('time_dom_processing', sa.Integer(), nullable=True),
    sa.Column('time_dom_completion', sa.Integer(), nullable=True),
    sa.Column('time_on_load', sa.Integer(), nullable=True),
    sa.Column('custom_dimension_1', sa.String(length=255), nullable=True),
    sa.Column('custom_dimension_2', sa.String(length=255), nullable=True),
    sa.Column('custom_dimension_3', sa.String(length=255), nullable=True),
    sa.Column('custom_dimension_4', sa.String(length=255), nullable=True),
    sa.Column('custom_dimension_5', sa.String(length=255), nullable=True),
    sa.Column('custom_dimension_6', sa.String(length=255), nullable=True),
    sa.Column('custom_dimension_7', sa.String(length=255), nullable=True),
    sa.Column('custom_dimension_8', sa.String(length=255), nullable=True),
    sa.Column('custom_dimension_9', sa.String(length=255), nullable=True),
    sa.Column('custom_dimension_10', sa.String(length=255), nullable=True),
    sa.Column('custom_var_k1', sa.String(length=200), nullable=True),
    sa.Column('custom_var_k2', sa.String(length=200), nullable=True),
    sa.Column('custom_var_k3', sa.String(length=200), nullable=True),
    sa.Column('custom_var_k4', sa.String(length=200), nullable=True),
    sa.Column('custom_var_k5', sa.String(length=200), nullable=True),
    sa.Column('custom_var_v1', sa.String(length=200), nullable=True),
    sa.Column('custom_var_v2', sa.String(length=200), nullable=True),
    sa.Column('custom_var_v3', sa.String(length=200), nullable=True),
    sa.Column('custom_var_v4', sa.String(length=200), nullable=True),
    sa.Column('custom_var_v5', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('idlink_va', name=op.f('pk_log_link_visit_action'))
    )
    with op.batch_alter_table('log_link_visit_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_log_link_visit_action_idvisit'), ['idvisit'], unique=False)
        batch_op.create_index('ix_log_lva_site_time', ['idsite', 'server_time'], unique=False)

    op.create_table('log_visit',
    sa.Column('idvisit', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('idsite', sa.Integer(), nullable=False),
    sa.Column('idvisitor', sa.LargeBinary(length=8).with_variant(sa.BINARY(length=8), 'mariadb').with_variant(sa.BINARY(length=8), 'mysql'), nullable=False),
    sa.Column('config_id', sa.LargeBinary(length=8).with_variant(sa.BINARY(length=8), 'mariadb').with_variant(sa.BINARY(length=8), 'mysql'), nullable=False),
    sa.Column('location_ip', sa.LargeBinary(length=16).with_variant(sa.VARBINARY(length=16), 'mariadb').with_variant(sa.VARBINARY(length=16), 'mysql'), nullable=False),
    sa.Column('user_id', sa.String(length=200), nullable=True),
    sa.Column('visit_first_action_time', sa.DateTime(), nullable=False),
    sa.Column('visit_last_action_time', sa.DateTime(), nullable=False),
    sa.Column('visit_total_time', sa.Integer(), nullable=False),
    sa.Column('visit_total_actions', sa.Integer(), nullable=False),
    sa.Column('visit_total_interactions', sa.Integer(), nullable=False),
    sa.Column('visit_total_searches', sa.Integer(), nullable=False),
    sa.Column('visit_total_events', sa.Integer(), nullable=False),
    sa.Column('visit_entry_idaction_url', sa.BigInteger(), nullable=True),
    sa.Column('visit_entry_idaction_name', sa.BigInteger(), nullable=True),
    sa.Column('visit_exit_idaction_url', sa.BigInteger(), nullable=True),
    sa.Column('visit_exit_idaction_name', sa.BigInteger(), nullable=True),
    sa.Column('visitor_returning', sa.SmallInteger(), nullable=False),
    sa.Column('visitor_count_visits', sa.Integer(), nullable=False),
    sa.Column('visitor_seconds_since_first', sa.Integer(), nullable=True),
    sa.Column('visitor_seconds_since_last', sa.Integer(), nullable=True),
    sa.Column('visitor_seconds_since_order', sa.Integer(), nullable=True),
    sa.Column('visitor_localtime', sa.Time(), nullable=True),
    sa.Column('visit_goal_converted', sa.Boolean(), nullable=False),
    sa.Column('visit_goal_buyer', sa.SmallInteger(), nullable=False),
    sa.Column('referer_type', sa.SmallInteger(), nullable=False),
    sa.Column('referer_name', sa.String(length=255), nullable=True),
    sa.Column('referer_keyword', sa.String(length=255), nullable=True),
    sa.Column('referer_url', sa.Text(), nullable=True),
    sa.Column('campaign_source', sa.String(length=255), nullable=True),
    sa.Column('campaign_medium', sa.String(length=255), nullable=True),
    sa.Column('campaign_content', sa.String(length=255), nullable=True),
    sa.Column('campaign_id', sa.String(length=100), nullable=True),
    sa.Column('campaign_group', sa.String(length=255), nullable=True),
    sa.Column('campaign_placement', sa.String(length=255), nullable=True),
    sa.Column('location_country', sa.String(length=3), nullable=False),
    sa.Column('location_region', sa.String(length=3), nullable=True),
    sa.Column('location_city', sa.String(length=255), nullable=True),
    sa.Column('location_latitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('location_longitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('location_named', sa.String(length=100), nullable=True),
    sa.Column('location_browser_lang', sa.String(length=20), nullable=False),
    sa.Column('config_browser_name', sa.String(length=40), nullable=False),
    sa.Column('config_browser_version', sa.String(length=20), nullable=False),
    sa.Column('config_browser_engine', sa.String(length=10), nullable=False),
    sa.Column('config_client_type', sa.SmallInteger(), nullable=True),
    sa.Column('config_os', sa.String(length=3), nullable=False),
    sa.Column('config_os_version', sa.String(length=100), nullable=False),
    sa.Column('config_device_type', sa.SmallInteger(), nullable=True),
    sa.Column('config_device_brand', sa.String(length=100), nullable=True),
    sa.Column('config_device_model', sa.String(length=100), nullable=True),
    sa.Column('config_resolution', sa.String(length=18), nullable=False),
    sa.Column('config_cookie', sa.Boolean(), nullable=False),
    sa.Column('config_flash', sa.Boolean(), nullable=False),
    sa.Column('config_java', sa.Boolean(), nullable=False),
    sa.Column('config_pdf', sa.Boolean(), nullable=False),
    sa.Column('config_quicktime', sa.Boolean(), nullable=False),
    sa.Column('config_realplayer', sa.Boolean(), nullable=False),
    sa.Column('config_silverlight', sa.Boolean(), nullable=False),
    sa.Column('config_windowsmedia', sa.Boolean(), nullable=False),
    sa.Column('profilable', sa.Boolean(), nullable=False),
    sa.Column('last_idlink_va', sa.BigInteger(), nullable=True),
    sa.Column('custom_dimension_1', sa.String(length=255), nullable=True),
    sa.Column('custom_dimension_2', sa.String(length=255), nullable=True),
    sa.Column('custom_dimension_3', sa.String(length=255), nullable=True),
    sa.Column('custom_dimension_4', sa.String(length=255), nullable=True),
    sa.Column('custom_dimension_5', sa.String(length=255), nullable=True),
    sa.Column('custom_dimension_6', sa.String(length=255), nullable=True),
    sa.Column('custom_dimension_7', sa.String(length=255), nullable=True),
    sa.Column('custom_dimension_8', sa.String(length=255), nullable=True),
    sa.Column('custom_dimension_9', sa.String(length=255), nullable=True),
    sa.Column('custom_dimension_10', sa.String(length=255), nullable=True),
    sa.Column('custom_var_k1', sa.String(length=200), nullable=True),
    sa.Column('custom_var_k2', sa.String(length=200), nullable=True),
    sa.Column('custom_var_k3', sa.String(length=200), nullable=True),
    sa.Column('custom_var_k4', sa.String(length=200), nullable=True),
    sa.Column('custom_var_k5', sa.String(length=200), nullable=True),
    sa.Column('custom_var_v1', sa.String(length=200), nullable=True),
    sa.Column('custom_var_v2', sa.String(length=200), nullable=True),
    sa.Column('custom_var_v3', sa.String(length=200), nullable=True),
    sa.Column('custom_var_v4', sa.String(length=200), nullable=True),
    sa.Column('custom_var_v5', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('idvisit', name=op.f('pk_log_visit'))
    )
    with op.batch_alter_table('log_visit', schema=None) as batch_op:
        batch_op.create_index('ix_log_visit_site_config_last', ['idsite', 'config_id', 'visit_last_action_time'], unique=False)
        batch_op.create_index('ix_log_visit_site_last', ['idsite', 'visit_last_action_time'], unique=False)
        batch_op.create_index('ix_log_visit_site_visitor_last', ['idsite', 'idvisitor', 'visit_last_action_time'], unique=False)

    op.create_table('site',
    sa.Column('idsite', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=90), nullable=False),
    sa.Column('main_url', sa.String(length=255), nullable=False),
    sa.Column('ts_created', sa.DateTime(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('ecommerce', sa.Boolean(), nullable=False),
    sa.Column('sitesearch', sa.Boolean(), nullable=False),
    sa.Column('sitesearch_keyword_parameters', sa.Text(), nullable=False),
    sa.Column('sitesearch_category_parameters', sa.Text(), nullable=False),
    sa.Column('excluded_ips', sa.Text(), nullable=False),
    sa.Column('excluded_parameters', sa.Text(), nullable=False),
    sa.Column('excluded_user_agents', sa.Text(), nullable=False),
    sa.Column('excluded_referrers', sa.Text(), nullable=False),
    sa.Column('exclude_unknown_urls', sa.Boolean(), nullable=False),
    sa.Column('keep_url_fragment', sa.Boolean(), nullable=False),
    sa.Column('ip_anonymisation_bytes', sa.SmallInteger(), nullable=True),
    sa.Column('group', sa.String(length=250), nullable=False),
    sa.Column('creator_login', sa.String(length=100), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('idsite', name=op.f('pk_site'))
    )
    op.create_table('tracking_failure',
    sa.Column('idfailure', sa.Integer(), nullable=False),
    sa.Column('idsite', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=255), nullable=False),
    sa.Column('request', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('date_first_seen', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('idfailure', name=op.f('pk_tracking_failure'))
    )
    with op.batch_alter_table('tracking_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tracking_failure_date_first_seen'), ['date_first_seen'], unique=False)
        batch_op.create_index(batch_op.f('ix_tracking_failure_idsite'), ['idsite'], unique=False)

    op.create_table('user',
    sa.Column('login', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('superuser_access', sa.Boolean(), nullable=False),
    sa.Column('date_registered', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('login', name=op.f('pk_user'))
    )
    op.create_table('access',
    sa.Column('login', sa.String(length=100), nullable=False),
    sa.Column('idsite', sa.Integer(), nullable=False),
    sa.Column('access', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['idsite'], ['site.idsite'], name=op.f('fk_access_idsite_site'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['login'], ['user.login'], name=op.f('fk_access_login_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('login', 'idsite', name=op.f('pk_access'))
    )
    op.create_table('custom_dimension',
    sa.Column('idcustomdimension', sa.Integer(), nullable=False),
    sa.Column('idsite', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('index', sa.SmallInteger(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['idsite'], ['site.idsite'], name=op.f('fk_custom_dimension_idsite_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('idcustomdimension', name=op.f('pk_custom_dimension')),
    sa.UniqueConstraint('idsite', 'scope', 'index', name=op.f('uq_custom_dimension_idsite_scope_index'))
    )
    op.create_table('goal',
    sa.Column('idsite', sa.Integer(), nullable=False),
    sa.Column('idgoal', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('description', sa.String(length=255), nullable=False),
    sa.Column('match_attribute', sa.String(length=20), nullable=False),
    sa.Column('pattern', sa.String(length=255), nullable=False),
    sa.Column('pattern_type', sa.String(length=25), nullable=False),
    sa.Column('case_sensitive', sa.Boolean(), nullable=False),
    sa.Column('allow_multiple', sa.Boolean(), nullable=False),
    sa.Column('revenue', sa.Float(), nullable=False),
    sa.Column('event_value_as_revenue', sa.Boolean(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['idsite'], ['site.idsite'], name=op.f('fk_goal_idsite_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('idsite', 'idgoal', name=op.f('pk_goal'))
    )
    op.create_table('site_url',
    sa.Column('idsite', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=190), nullable=False),
    sa.ForeignKeyConstraint(['idsite'], ['site.idsite'], name=op.f('fk_site_url_idsite_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('idsite', 'url', name=op.f('pk_site_url'))
    )
    op.create_table('user_token',
    sa.Column('idusertokenauth', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=100), nullable=False),
    sa.Column('description', sa.String(length=100), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('date_created', sa.DateTime(), nullable=False),
    sa.Column('last_used', sa.DateTime(), nullable=True),
    sa.Column('date_expired', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['login'], ['user.login'], name=op.f('fk_user_token_login_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('idusertokenauth', name=op.f('pk_user_token')),
    sa.UniqueConstraint('hash', name=op.f('uq_user_token_hash'))
    )
    with op.batch_alter_table('user_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_token_login'), ['login'], unique=False)



def downgrade() -> None:
    op.drop_table('user_token')
    op.drop_table('site_url')
    op.drop_table('goal')
    op.drop_table('custom_dimension')
    op.drop_table('access')
    op.drop_table('user')
    op.drop_table('tracking_failure')
    op.drop_table('site')
    op.drop_table('log_visit')
    op.drop_table('log_link_visit_action')
    op.drop_table('log_conversion_item')
    op.drop_table('log_conversion')
    op.drop_table('log_action')
    op.drop_table('kv_option')
