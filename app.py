from wcc import create_app, settle_collector

app = create_app()
settle_collector()
