from wcc import create_app

app = create_app()
