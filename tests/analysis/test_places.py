"""The gazetteer: district places map to their street or town, counter-places to their district or city."""

from analysis.places import default_gazetteer, load_gazetteer
from analysis.segment import default_segmenter


def test_streets_and_towns_of_the_district_are_their_own_canonical_place():
    district = default_gazetteer().district
    for street in ["天宁街道", "雕庄街道", "青龙街道", "红梅街道", "兰陵街道", "茶山街道", "郑陆镇", "天宁经济开发区"]:
        assert district[street] == street


def test_communities_and_landmarks_map_to_their_street():
    district = default_gazetteer().district
    assert district["红梅新村"] == "红梅街道"
    assert district["丽华新村"] == "茶山街道"
    assert district["焦溪古镇"] == "郑陆镇"
    assert district["天宁寺"] == "天宁街道"


def test_counter_places_are_not_district_places():
    gazetteer = default_gazetteer()
    assert gazetteer.elsewhere["湖塘"] == "武进区"
    assert gazetteer.elsewhere["奔牛"] == "新北区"
    assert gazetteer.elsewhere["江阴"] == "江阴"
    assert not gazetteer.district.keys() & gazetteer.elsewhere.keys()


def test_places_named_in_a_post_in_order_without_repeats():
    gazetteer = default_gazetteer()
    tokens = default_segmenter().cut("红梅新村和红梅公园附近起火，武进区湖塘镇也有烟，红梅新村居民报警")
    assert gazetteer.district_places(tokens) == ["红梅街道"]
    assert gazetteer.elsewhere_places(tokens) == ["武进区"]


def test_operator_file_adds_and_reclassifies_places(tmp_path):
    extra = tmp_path / "places.txt"
    extra.write_text("新龙苑 300 district 青龙街道\n东青 300 elsewhere 测试区\n", encoding="utf-8")
    gazetteer = load_gazetteer([extra])
    assert gazetteer.district["新龙苑"] == "青龙街道"
    assert "东青" not in gazetteer.district
    assert gazetteer.elsewhere["东青"] == "测试区"
