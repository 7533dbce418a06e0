from newsweave.cli import main

if __name__ == "__main__":  # worker processes (newsweave batch --engine dask) import this
    main()
