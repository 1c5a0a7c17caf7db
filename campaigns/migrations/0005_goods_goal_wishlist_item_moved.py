"""The wishlist moved to the goods app: the same foreign key (and column), now to goods.WishlistItem.

State only: the database constraint follows the table that goods 0001 renames.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0004_template_items_placeholder"),
        ("goods", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="campaigngoodsgoal",
                    name="wishlist_item",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='goods.wishlistitem', verbose_name='wishlist item'),
                ),
            ],
            database_operations=[],
        ),
    ]
