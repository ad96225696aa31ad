def test_main_screen_120x40(snap_compare, seeded_app):
    assert snap_compare(seeded_app(), terminal_size=(120, 40))


def test_main_screen_80x24(snap_compare, seeded_app):
    assert snap_compare(seeded_app(), terminal_size=(80, 24))


def test_second_instrument_selected(snap_compare, seeded_app):
    assert snap_compare(seeded_app(), terminal_size=(120, 40), press=["]"])
