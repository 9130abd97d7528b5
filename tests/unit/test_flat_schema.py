"""FlatSchema: the direct-lookup dump refuses fields it could not dump as marshmallow does."""

import marshmallow as ma
import pytest

from tracker.fields import FlatSchema


class Point:
    x = 3
    y = 7
    z = 1
    label = None


@pytest.mark.parametrize(
    "field",
    [
        ma.fields.Integer(dump_default=0),
        ma.fields.Function(lambda obj: 1),
        ma.fields.Integer(attribute="origin.x"),
    ],
)
def test_a_field_it_cannot_dump_by_plain_lookup_is_refused(field):
    schema = FlatSchema.from_dict({"value": field})()
    with pytest.raises(TypeError, match="value"):
        schema.dump(Point())


def test_values_of_another_type_are_formatted_by_their_field_as_marshmallow_does():
    fields = {
        "x": ma.fields.String(),
        "as_text": ma.fields.Integer(as_string=True, attribute="y"),
        "label": ma.fields.Boolean(),
        "flag": ma.fields.Boolean(attribute="z"),
    }
    flat, plain = FlatSchema.from_dict(fields)(), ma.Schema.from_dict(fields)()
    assert flat.dump(Point()) == plain.dump(Point()) == {"x": "3", "as_text": "7", "label": None, "flag": True}


def test_data_keys_and_attributes_are_honoured_and_absent_attributes_left_out():
    schema = FlatSchema.from_dict(
        {"x": ma.fields.Integer(data_key="X"), "y": ma.fields.String(attribute="label"), "w": ma.fields.Float()}
    )()
    assert (
        schema.dump(Point())
        == ma.Schema.from_dict(dict(schema.declared_fields))().dump(Point())
        == {
            "X": 3,
            "y": None,
        }
    )
    assert schema.dump([Point(), Point()], many=True) == [{"X": 3, "y": None}] * 2


def test_rows_are_read_by_position_and_say_what_marshmallow_says():
    import sqlalchemy as sa

    engine = sa.create_engine("sqlite://")
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT 'a' AS label, 3 AS x, 1 AS z UNION ALL SELECT NULL, 4, 0")).all()
        narrow = connection.execute(sa.text("SELECT 5 AS x")).all()
    fields = {"x": ma.fields.String(), "flag": ma.fields.Boolean(attribute="z"), "label": ma.fields.String()}
    flat, plain = FlatSchema.from_dict(fields)(many=True), ma.Schema.from_dict(fields)(many=True)
    assert (
        flat.dump(rows)
        == plain.dump(rows)
        == [
            {"x": "3", "flag": True, "label": "a"},
            {"x": "4", "flag": False, "label": None},
        ]
    )
    # a row without some of the attributes: those are left out, as of an object without them
    assert flat.dump(narrow) == [{"x": "5"}]
