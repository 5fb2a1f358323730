"""Names are masked for display; identity numbers are kept only as keyed hashes."""

from hall_server.core.privacy import holder_hash, mask_name


def test_names_are_masked_like_chinese_halls_do():
    assert mask_name("张小明") == "张*明"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_name("李") == "李"


def test_the_same_id_number_gives_the_same_hash_and_never_the_number_itself():
    number = "11010519491231002X"
    first = holder_hash("secret", "id", number)
    assert first == holder_hash("secret", "id", number.lower())
    assert number not in first
    assert first != holder_hash("other secret", "id", number)
    assert first != holder_hash("secret", "phone", number)
